import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths whose values never reach a log line. Tokens, cookies and credentials are replaced, not dropped, so a reader
 * can still see that the field was present.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
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
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
];

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
  };
}

export function createLogger(settings: LoggerSettings): Logger {
  return settings.destination ? pino(loggerOptions(settings), settings.destination) : pino(loggerOptions(settings));
}

export type { Logger };
