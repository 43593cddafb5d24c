import type { OutboundHttp } from '@gatehouse/connections';
import { ProviderApiError, ToolFailure, type ProviderApi } from '@gatehouse/tools';

/**
 * The provider's API as one person: requests only under `baseUrl`, with their bearer token, through the SSRF-guarded
 * client. Non-2xx answers become `ProviderApiError` (status, the provider's short error code, Retry-After).
 */
export function providerApi(
  http: OutboundHttp,
  baseUrl: string,
  accessToken: string,
  signal: AbortSignal,
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
      const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${accessToken}` };
      if (options.json !== undefined) headers['content-type'] = 'application/json';
      const response = await http.send(
        {
          method,
          url: url.toString(),
          headers,
          ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
        },
        signal,
      );
      if (response.status >= 200 && response.status < 300) return response;
      const error = (response.json as { error?: unknown } | undefined)?.error;
      const retryAfter = Number(response.headers['retry-after']);
      throw new ProviderApiError(
        response.status,
        typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? error : undefined,
        Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.ceil(retryAfter) : undefined,
      );
    },
  };
}
