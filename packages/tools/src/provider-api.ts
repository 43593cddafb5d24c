import type { OutboundHttp } from '@gatehouse/connections';
import { inSpan } from '@gatehouse/telemetry';
import { ProviderApiError, ToolFailure, type ProviderApi } from './provider-tool.js';

/**
 * The provider's API as one person: requests only under `baseUrl`, with their bearer token, through the SSRF-guarded
 * client. Non-2xx answers become `ProviderApiError` (status, the provider's short error code, Retry-After).
 */
export function providerApi(
  http: OutboundHttp,
  baseUrl: string,
  accessToken: string,
  signal: AbortSignal,
  defaultHeaders: Readonly<Record<string, string>> = {},
): ProviderApi {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return {
    async request(method, path, options = {}) {
      if (!path.startsWith('/') || path.startsWith('//') || path.includes('..'))
        throw new ToolFailure('invalid_path', `not a path of the provider's API: ${path}`);
      const url = new URL(path.slice(1), base);
      if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname))
        throw new ToolFailure('invalid_path', `not a path of the provider's API: ${path}`);
      for (const [key, value] of Object.entries(options.query ?? {}))
        if (value !== undefined) url.searchParams.set(key, String(value));
      if (signal.aborted) throw signal.reason;
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...defaultHeaders,
        authorization: `Bearer ${accessToken}`,
      };
      if (options.json !== undefined) headers['content-type'] = 'application/json';
      // Span attributes: method, host and path only — queries may hold what the person searched for.
      const response = await inSpan(
        'provider.request',
        { 'http.request.method': method, 'server.address': url.host, 'url.path': url.pathname },
        async (span) => {
          const answer = await http.send(
            {
              method,
              url: url.toString(),
              headers,
              ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
            },
            signal,
          );
          span.setAttribute('http.response.status_code', answer.status);
          return answer;
        },
      );
      if (response.status >= 200 && response.status < 300) return response;
      const code = errorCode(response.json);
      const retryAfter = retryAfterOf(response.headers);
      // An exhausted rate limit answered as 403: GitHub (`x-ratelimit-remaining: 0`), Google (`rateLimitExceeded`).
      const rateLimited =
        response.status === 403 &&
        (header(response.headers, 'x-ratelimit-remaining') === '0' || /rateLimitExceeded$/i.test(code ?? ''));
      throw new ProviderApiError(rateLimited ? 429 : response.status, code, retryAfter);
    },
  };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Seconds to wait: `Retry-After` (seconds), else `x-ratelimit-reset` (epoch seconds). */
function retryAfterOf(headers: Record<string, string | string[] | undefined>): number | undefined {
  const retryAfter = Number(header(headers, 'retry-after'));
  if (header(headers, 'retry-after') !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0)
    return Math.ceil(retryAfter);
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (header(headers, 'x-ratelimit-reset') !== undefined && Number.isFinite(reset))
    return Math.max(0, Math.ceil(reset - Date.now() / 1000));
  return undefined;
}

/**
 * A short error code from an error body, never the body itself: OAuth-style `{error: "code"}`, or Google's
 * `{error: {status, errors: [{reason}]}}` (the reason, else the status).
 */
function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  let code: unknown = error;
  if (error && typeof error === 'object') {
    const google = error as { status?: unknown; errors?: { reason?: unknown }[] };
    code = google.errors?.[0]?.reason ?? google.status;
  }
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
}
