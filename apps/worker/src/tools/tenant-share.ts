import { toolCallJob } from '@gatehouse/contracts';
import { DelayedError, type Job } from 'bullmq';

/** Longest a deferred job waits before it is offered again (its deadline still applies: it may expire meanwhile). */
const MAX_DEFER_MS = 2_000;
const FIRST_DEFER_MS = 100;

export interface TenantShareOptions {
  /** Jobs of one tenant this process runs at once (WORKER_CONCURRENCY_PER_TENANT). */
  readonly perTenant: number;
  /** The tenant a job belongs to, if it is one that is shared out (tool calls); others run as they come. */
  readonly tenantOf: (job: Job) => string | undefined;
  /** Told of each job put back (for metrics and logs). */
  readonly onDeferred?: ((job: Job, tenantId: string, delayMs: number) => void) | undefined;
}

/**
 * Keeps one tenant from holding every slot of this worker. The queue is one line for everyone, and the rate limits
 * count calls per minute, not calls running: a tenant whose provider hangs could otherwise fill all
 * `WORKER_CONCURRENCY` slots with calls that each wait out their timeout, and everyone else's calls would wait behind
 * them until they expired. A job of a tenant already running `perTenant` calls here is put back (delayed, sooner
 * than later: 100 ms, doubling to 2 s) before anything of it runs — not a retry and no attempt spent — and the slot
 * goes to the next job in line.
 */
export function shareByTenant<T>(
  process: (job: Job, token?: string) => Promise<T>,
  options: TenantShareOptions,
): (job: Job, token?: string) => Promise<T> {
  const running = new Map<string, number>();
  return async (job, token) => {
    const tenantId = options.tenantOf(job);
    if (tenantId === undefined) return process(job, token);
    const count = running.get(tenantId) ?? 0;
    if (count >= options.perTenant && token !== undefined) {
      // Times this job was put back already: each taking counts as a start, and only real runs as attempts made.
      const deferrals = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
      const delayMs = Math.min(MAX_DEFER_MS, FIRST_DEFER_MS * 2 ** Math.min(deferrals, 10));
      options.onDeferred?.(job, tenantId, delayMs);
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    }
    running.set(tenantId, count + 1);
    try {
      return await process(job, token);
    } finally {
      const left = (running.get(tenantId) ?? 1) - 1;
      if (left > 0) running.set(tenantId, left);
      else running.delete(tenantId);
    }
  };
}

/** The tenant of a tool call (`tool.call` jobs carry `tenantId`), read only to count it. */
export function toolCallTenant(job: Job): string | undefined {
  if (job.name !== toolCallJob.name) return undefined;
  const tenantId = (job.data as { tenantId?: unknown } | undefined)?.tenantId;
  return typeof tenantId === 'string' && tenantId.length <= 64 ? tenantId : undefined;
}
