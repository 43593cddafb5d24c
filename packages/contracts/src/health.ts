import { z } from 'zod';

export const dependencyName = z.enum(['postgres', 'redis', 'queue']);
export type DependencyName = z.infer<typeof dependencyName>;

export const dependencyCheck = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number().nonnegative(),
  /** A short, non-sensitive reason when down (never a connection string). */
  error: z.string().optional(),
});
export type DependencyCheck = z.infer<typeof dependencyCheck>;

/** `GET /healthz`: the process is up and serving. */
export const livenessResponse = z.object({
  status: z.literal('ok'),
  service: z.string(),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
});
export type LivenessResponse = z.infer<typeof livenessResponse>;

/** `GET /readyz`: 200 when every dependency is up, 503 naming the ones that are down. */
export const readinessResponse = z.object({
  status: z.enum(['ready', 'not_ready']),
  service: z.string(),
  version: z.string(),
  checks: z.partialRecord(dependencyName, dependencyCheck),
  down: z.array(dependencyName),
});
export type ReadinessResponse = z.infer<typeof readinessResponse>;
