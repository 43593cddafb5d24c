import { z } from 'zod';

/** The one queue every process may enqueue to; only the worker consumes it. */
export const SYSTEM_QUEUE = 'gatehouse-system';

/** A job's contract: its name and payload schema. Handlers live in the worker. */
export interface JobContract<Name extends string, Schema extends z.ZodType> {
  readonly name: Name;
  readonly queue: string;
  readonly schema: Schema;
}

function job<Name extends string, Schema extends z.ZodType>(
  queue: string,
  name: Name,
  schema: Schema,
): JobContract<Name, Schema> {
  return { name, queue, schema };
}

/** Proves the api → queue → worker path works; the worker records when it last ran one. */
export const heartbeatJob = job(
  SYSTEM_QUEUE,
  'system.heartbeat',
  z.object({ sentAt: z.iso.datetime(), from: z.string().min(1).max(64) }).strict(),
);
export type HeartbeatPayload = z.infer<typeof heartbeatJob.schema>;

/** Redis key where the worker stores the time of its last processed heartbeat. */
export function workerHeartbeatKey(prefix: string): string {
  return `${prefix}:worker:last-heartbeat`;
}

/**
 * Deletes authorization-server state (codes, tokens, sessions, grants, registrations) that expired more than an
 * hour ago — expired rows already read as absent, this only reclaims space — and registered clients that have held
 * no grant for 30 days. Scheduled hourly by the worker.
 */
export const oauthSweepJob = job(SYSTEM_QUEUE, 'maintenance.oauth_sweep', z.object({}).strict());
