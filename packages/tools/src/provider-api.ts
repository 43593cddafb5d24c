import type { OutboundHttp, OutboundResponse } from '@gatehouse/connections';
import { inSpan } from '@gatehouse/telemetry';
import { ProviderApiError, ToolFailure, type ProviderApi, type ProviderRefusal } from './provider-tool.js';

/**
 * Largest answer a tool's request may get (a page of 100 GitHub pull requests, each with two whole repositories, is
 * about 1.6 MB). Bigger ones are refused, not retried: the person is asked for a narrower request.
 */
export const PROVIDER_RESPONSE_MAX_BYTES = 8 * 1024 * 1024;

type HttpRequest = Parameters<OutboundHttp['send']>[0];

/** Redirects followed within the provider's API (a renamed or transferred GitHub repository answers 301 or 307). */
const MAX_REDIRECTS = 3;

/** A rate limit that gives no time to come back: GitHub asks for at least a minute (secondary rate limits). */
const UNTIMED_LIMIT_SECONDS = 60;
/** A rate limit of another provider that gives no time: Google's and Slack's advice is to back off, not how long. */
const UNTIMED_OTHER_LIMIT_SECONDS = 30;
/**
 * What a provider's time to come back is held to: at least a second (a time already past, or `0`, would invite an
 * immediate retry into the same limit), at most a day (a huge value would be no answer at all, and cannot be
 * carried as an integer).
 */
const RETRY_AFTER_RANGE = { min: 1, max: 86_400 } as const;

/**
 * The provider's API as one person: requests only under `baseUrl`, with their bearer token, through the SSRF-guarded
 * client. Redirects are followed only to paths under `baseUrl` (the token never leaves it). Non-2xx answers become
 * `ProviderApiError` (status, the provider's short error code, Retry-After).
 */
export function providerApi(
  http: OutboundHttp,
  baseUrl: string,
  accessToken: string,
  signal: AbortSignal,
  defaultHeaders: Readonly<Record<string, string>> = {},
  /** Each request's longest wait for its answer: the tool's own deadline (which `signal` also enforces). */
  timeoutMs?: number,
): ProviderApi {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const withinBase = (url: URL) => url.origin === base.origin && url.pathname.startsWith(base.pathname);
  return {
    async request(method, path, options = {}) {
      if (!path.startsWith('/') || path.startsWith('//') || climbs(path))
        throw new ToolFailure('invalid_path', `not a path of the provider's API: ${path}`);
      let url = new URL(path.slice(1), base);
      if (!withinBase(url)) throw new ToolFailure('invalid_path', `not a path of the provider's API: ${path}`);
      for (const [key, value] of Object.entries(options.query ?? {}))
        if (value !== undefined) url.searchParams.set(key, String(value));
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...defaultHeaders,
        authorization: `Bearer ${accessToken}`,
      };
      let request: HttpRequest = { method, url: url.toString(), headers };
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json; charset=utf-8';
        request.body = JSON.stringify(options.json);
      }
      let response = await send(http, request, url, signal, timeoutMs);
      for (let redirects = 0; redirects < MAX_REDIRECTS; redirects++) {
        const next = redirected(request, response, url);
        if (!next) break;
        // Anywhere else is not this provider's API: the answer stands as it is (an error below).
        if (!withinBase(next.url)) break;
        url = next.url;
        request = next.request;
        response = await send(http, request, url, signal, timeoutMs);
      }
      if (response.status >= 200 && response.status < 300) return response;
      throw apiError(response);
    },
  };
}

/**
 * Whether a path has a `.` or `..` segment, spelled out or percent-encoded (URL parsers resolve `%2e%2e` too). Dots
 * inside a segment (a repository named `a..b`) are a name, not a step up.
 */
function climbs(path: string): boolean {
  return path
    .split(/[?#]/, 1)[0]!
    .split('/')
    .some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

async function send(http: OutboundHttp, request: HttpRequest, url: URL, signal: AbortSignal, timeoutMs?: number) {
  if (signal.aborted) throw signal.reason;
  // Span attributes: method, host and path only — queries may hold what the person searched for.
  return inSpan(
    'provider.request',
    { 'http.request.method': request.method, 'server.address': url.host, 'url.path': url.pathname },
    async (span) => {
      const answer = await http.send(request, signal, {
        maxResponseBytes: PROVIDER_RESPONSE_MAX_BYTES,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      span.setAttribute('http.response.status_code', answer.status);
      return answer;
    },
  );
}

/**
 * The request a redirect asks for (RFC 9110 §15.4): 307/308 repeat it as it is; 301/302/303 only a GET (a write is
 * never silently turned into a read). Undefined: not a redirect to follow.
 */
function redirected(
  request: HttpRequest,
  response: OutboundResponse,
  from: URL,
): { url: URL; request: HttpRequest } | undefined {
  const location = header(response.headers, 'location');
  if (location === undefined) return undefined;
  const sameRequest = response.status === 307 || response.status === 308;
  const asGet = [301, 302, 303].includes(response.status) && request.method === 'GET';
  if (!sameRequest && !asGet) return undefined;
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    return undefined;
  }
  return { url, request: { ...request, url: url.toString() } };
}

function apiError(response: OutboundResponse): ProviderApiError {
  const { status, headers, json } = response;
  const code = errorCode(json);
  const retryAfter = retryAfterOf(headers);
  const exhausted = header(headers, 'x-ratelimit-remaining') === '0';
  // A rate limit answered as 403: GitHub's exhausted primary limit (`x-ratelimit-remaining: 0`) and its secondary
  // limits (a Retry-After, or the message), Google's `rateLimitExceeded` / `userRateLimitExceeded` and its quotas
  // (`quotaExceeded`: Calendar's usage limits, e.g. too many invitations; `dailyLimitExceeded`).
  const secondary = /secondary rate limit/i.test(messageOf(json));
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (exhausted ||
        secondary ||
        retryAfter !== undefined ||
        /(rateLimitExceeded|quotaExceeded|dailyLimitExceeded)$/i.test(code ?? '')));
  if (!rateLimited)
    return new ProviderApiError(status, code, retryAfter, status === 403 ? refusalOf(response, code) : {});
  const reset = exhausted ? resetOf(headers) : undefined;
  // A rate limit always says when to come back, so the caller is never sent straight back into it.
  const seconds = retryAfter ?? reset ?? (secondary || exhausted ? UNTIMED_LIMIT_SECONDS : UNTIMED_OTHER_LIMIT_SECONDS);
  return new ProviderApiError(429, code, seconds);
}

/** Provider codes that mean the token lacks a scope (Google's reason, RFC 6750, Slack). */
const SCOPE_CODES = /^(insufficientPermissions|insufficient_scope|missing_scope)$/;

function refusalOf(response: OutboundResponse, code: string | undefined): ProviderRefusal {
  const { headers } = response;
  const challenge = header(headers, 'www-authenticate') ?? '';
  // GitHub names the scopes that would do (`X-Accepted-OAuth-Scopes`) and those the token has (`X-OAuth-Scopes`).
  const list = (name: string) =>
    (header(headers, name) ?? '')
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
  const accepted = list('x-accepted-oauth-scopes');
  const held = new Set(list('x-oauth-scopes'));
  const scopeRefused =
    SCOPE_CODES.test(code ?? '') ||
    /error="?insufficient_scope/i.test(challenge) ||
    // (An empty `X-OAuth-Scopes` — a GitHub App's token has no OAuth scopes — says nothing about them.)
    (accepted.length > 0 && held.size > 0 && !accepted.some((s) => held.has(s)));
  // `X-GitHub-SSO: required; url=https://github.com/orgs/…/sso?authorization_request=…` — only an https URL is kept.
  const sso = /\burl=(https:\/\/[^\s;,]+)/.exec(header(headers, 'x-github-sso') ?? '')?.[1];
  return {
    ...(scopeRefused ? { scopeRefused } : {}),
    ...(sso && URL.canParse(sso) ? { singleSignOnUrl: sso } : {}),
  };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function clampRetryAfter(seconds: number): number {
  return Math.min(RETRY_AFTER_RANGE.max, Math.max(RETRY_AFTER_RANGE.min, seconds));
}

/** Seconds to wait from `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterOf(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return clampRetryAfter(Number(value));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : clampRetryAfter(Math.ceil((at - Date.now()) / 1000));
}

/** Seconds until an exhausted limit resets: `x-ratelimit-reset` (epoch seconds). */
function resetOf(headers: Record<string, string | string[] | undefined>): number | undefined {
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (header(headers, 'x-ratelimit-reset') === undefined || !Number.isFinite(reset)) return undefined;
  return clampRetryAfter(Math.ceil(reset - Date.now() / 1000));
}

/** A human-readable `message` of an error body (GitHub's), only to recognise it — never passed on. */
function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 500) : '';
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
  // GitHub's validation errors: `errors: [{ resource, field, code }]` — which field, and what is wrong with it.
  const github = (body as { errors?: { field?: unknown; code?: unknown }[] } | undefined)?.errors?.[0];
  if (code === undefined && github && typeof github === 'object') {
    const { field, code: problem } = github;
    code = [field, problem].filter((part) => typeof part === 'string' && part !== '').join('.') || undefined;
  }
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
}
