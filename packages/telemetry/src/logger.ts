import { trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths whose values never reach a log line. Tokens, cookies and credentials are replaced, not dropped, so a reader
 * can still see that the field was present.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'req.headers["mcp-session-id"]',
  'res.headers["mcp-session-id"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*.clientSecret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.apiKey',
  // The names providers and OAuth use on the wire, should a token response or request ever be logged whole.
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.code_verifier',
  '*.headers.authorization',
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'client_secret',
];

/** Query parameters that carry credentials (OAuth codes and state, tokens): their values never reach a log line. */
const SECRET_QUERY_PARAMS = new Set([
  'code',
  'state',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
]);

/** A request URL with the values of credential-carrying query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // Not valid percent-encoding: judge the raw name.
      }
      return eq >= 0 && SECRET_QUERY_PARAMS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, mark)}?${query}`;
}

/** pino-http's request serializer output with credential query parameters redacted from `url` and `query`. */
export function redactRequest<T extends { url?: unknown; query?: unknown }>(req: T): T {
  const query =
    req.query && typeof req.query === 'object'
      ? Object.fromEntries(
          Object.entries(req.query as Record<string, unknown>).map(([key, value]) => [
            key,
            SECRET_QUERY_PARAMS.has(key.toLowerCase()) ? '[redacted]' : value,
          ]),
        )
      : req.query;
  return { ...req, ...(typeof req.url === 'string' ? { url: redactUrl(req.url) } : {}), query };
}

/**
 * pino-http's response serializer output with credential query parameters redacted from `Location` (an OAuth
 * redirect carries `state`, and the callback's hop to the console its `code` and `state`).
 */
export function redactResponse<T extends { headers?: unknown }>(res: T): T {
  const headers = res.headers as Record<string, unknown> | undefined;
  const location = headers?.['location'];
  if (typeof location !== 'string') return res;
  return { ...res, headers: { ...headers, location: redactUrl(location) } };
}

export interface LoggerSettings {
  /** Service name, e.g. "api" or "worker". */
  service: string;
  level: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: pino.DestinationStream;
}

export function loggerOptions(settings: Pick<LoggerSettings, 'service' | 'level'>): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    // Log lines written inside a traced operation carry its trace and span ids.
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext && trace.isSpanContextValid(spanContext)
        ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
        : {};
    },
  };
}

export function createLogger(settings: LoggerSettings): Logger {
  return settings.destination ? pino(loggerOptions(settings), settings.destination) : pino(loggerOptions(settings));
}

export type { Logger };
