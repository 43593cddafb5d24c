import { toolCallJob, toolCallResult, toolCancelledKey, type ToolCallPayload } from '@gatehouse/contracts';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** A failed tool call as operators see it: who, what, when, why — never its arguments (they may be personal data). */
export interface FailedToolCall {
  jobId: string;
  tool: string;
  version: string;
  tenantId: string;
  userId: string;
  clientId: string;
  queuedAt: string;
  failedAt: string | null;
  attempts: number;
  reason: string;
}

function describe(job: Job<ToolCallPayload>): FailedToolCall {
  return {
    jobId: job.id!,
    tool: job.data.tool,
    version: job.data.version,
    tenantId: job.data.tenantId,
    userId: job.data.userId,
    clientId: job.data.clientId,
    queuedAt: new Date(job.timestamp).toISOString(),
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    attempts: job.attemptsMade,
    reason: (job.failedReason ?? '').slice(0, 500),
  };
}

/**
 * Failed tool calls are kept (a week, see the api's `removeOnFail`) for inspection and replay: calls whose worker
 * died mid-call (never retried behind the caller's back) and calls that failed for an unexpected reason.
 */
export class ToolCallAdmin {
  constructor(
    private readonly queue: Queue<ToolCallPayload>,
    /** The queue's Redis and `QUEUE_PREFIX`: a replay clears the first run's cancellation mark. */
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Newest first; only one tenant's when `tenantId` is given. */
  async failed(tenantId?: string, limit = 100): Promise<FailedToolCall[]> {
    const found: FailedToolCall[] = [];
    for (let start = 0; found.length < limit; start += 200) {
      const jobs = await this.queue.getFailed(start, start + 199);
      if (jobs.length === 0) break;
      for (const job of jobs) {
        if (job.name !== toolCallJob.name || (tenantId && job.data.tenantId !== tenantId)) continue;
        found.push(describe(job));
        if (found.length === limit) break;
      }
    }
    return found;
  }

  /** A tool call's state and, once it finished, how (`ok`, or the error code and message) — not its output. */
  async show(jobId: string) {
    const job = await this.queue.getJob(jobId);
    if (!job || job.name !== toolCallJob.name) return undefined;
    const state = await job.getState();
    const parsed = toolCallResult.safeParse(job.returnvalue);
    const result = parsed.success
      ? parsed.data.kind === 'error'
        ? { kind: 'error', code: parsed.data.code, message: parsed.data.message }
        : { kind: parsed.data.kind }
      : undefined;
    return { ...describe(job), state, ...(result ? { result } : {}) };
  }

  /**
   * Runs a failed call again: an operator's decision (the call may have taken effect before it failed), for a job
   * that is still kept and failed. `before` runs first (the audit record). The worker re-checks membership and
   * connection as for any call.
   */
  async replay(jobId: string, before: (call: FailedToolCall) => Promise<void>): Promise<FailedToolCall> {
    const job = await this.queue.getJob(jobId);
    if (!job || job.name !== toolCallJob.name) throw new Error(`no tool call with job id "${jobId}" is kept`);
    const state = await job.getState();
    if (state !== 'failed') throw new Error(`tool call ${jobId} is ${state}, not failed: only failed calls replay`);
    const described = describe(job);
    // Fail closed: a replay that cannot be recorded does not happen.
    await before(described);
    // The replay is the operator's: no api instance waits for it, so neither the first run's reply channel, its
    // start-by time (long past: the worker would refuse it as expired) nor its trace applies.
    const data: ToolCallPayload = { ...job.data };
    delete data.startBy;
    delete data.replyTo;
    // A trace of its own: the first run's ended long ago (and may be gone).
    delete data.traceContext;
    await job.updateData(data);
    // Nor the first run's cancellation: its api, told the call failed, marked it cancelled for as long as it waited.
    await this.redis.del(toolCancelledKey(this.prefix, jobId));
    await job.retry('failed');
    return described;
  }

  /** Waits until the call has finished (completed or failed) or `timeoutMs` passed; its state as `show` gives it. */
  async settled(jobId: string, timeoutMs: number, pollMs = 250): Promise<Awaited<ReturnType<ToolCallAdmin['show']>>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const call = await this.show(jobId);
      if (!call || call.state === 'completed' || call.state === 'failed' || Date.now() >= until) return call;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
