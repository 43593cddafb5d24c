import { z } from 'zod';
import { readinessResponse } from './health.js';

/**
 * `GET /api/v1/system/status`: what the console's front page shows about the platform — to anyone, so nothing of
 * the business (how many tenants it serves) and no dependency's failure reason (`/readyz` has those for operators).
 */
export const systemStatusResponse = z.object({
  name: z.literal('Gatehouse'),
  version: z.string(),
  environment: z.enum(['development', 'test', 'production']),
  time: z.string(),
  api: readinessResponse,
  worker: z.object({
    /** Seconds since the worker last answered a heartbeat job; null if it never did. */
    lastHeartbeatAgeSeconds: z.number().nonnegative().nullable(),
    waitingJobs: z.number().int().nonnegative(),
  }),
});
export type SystemStatusResponse = z.infer<typeof systemStatusResponse>;
