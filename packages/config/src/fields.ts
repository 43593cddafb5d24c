import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A TCP port; 0 asks the OS for a free one (tests). */
export const port = z.coerce.number().int().min(0).max(65535);

/** A URL whose protocol is one of `protocols`; the message never includes the value. */
export function urlWith(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL` },
  );
}

export const postgresUrl = urlWith(['postgres:', 'postgresql:']);
export const redisUrl = urlWith(['redis:', 'rediss:']);
export const httpUrl = urlWith(['http:', 'https:']).transform((value) => value.replace(/\/+$/, ''));

export const common = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
};

/** Shutdown grace period: in-flight work gets this long before the process exits anyway. */
export const shutdownTimeoutMs = z.coerce.number().int().min(0).max(120_000).default(10_000);

/** Namespace for every Redis key and BullMQ queue of one deployment; api and worker must agree on it. */
export const queuePrefix = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes')
  .default('gatehouse');
