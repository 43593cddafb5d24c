import { toolCallJob, toolCallResult, toolCancelledKey, type ToolCallPayload } from '@gatehouse/contracts';
import { QueueEvents, type Job, type Queue } from 'bullmq';
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

/** Replaces a job's options only as they were read (a job removed meanwhile is not brought back in part). */
const REPLACE_OPTIONS = `
if redis.call('HGET', KEYS[1], 'opts') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'opts', ARGV[2])
return 1`;

/** What operators are told of a call's answer: its kind and, for an error, code and message — never its output. */
function resultOf(returnvalue: unknown) {
  const parsed = toolCallResult.safeParse(returnvalue);
  if (!parsed.success) return undefined;
  return parsed.data.kind === 'error'
    ? { kind: 'error', code: parsed.data.code, message: parsed.data.message }
    : { kind: parsed.data.kind };
}

/** How a replayed call ended, or that it had not within the wait. */
export type ReplayOutcome =
  | { state: 'completed'; result?: ReturnType<typeof resultOf> }
  | { state: 'failed'; reason: string }
  | { state: 'running' };

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
    const result = resultOf(job.returnvalue);
    return { ...describe(job), state, ...(result ? { result } : {}) };
  }

  /**
   * Runs a failed call again: an operator's decision (the call may have taken effect before it failed), for a job
   * that is still kept and failed. `before` runs first (the audit record). The worker re-checks membership and
   * connection as for any call. `eventsFrom` is where the queue's event stream stood before the replay began: what
   * `outcome` listens from.
   */
  async replay(
    jobId: string,
    before: (call: FailedToolCall) => Promise<void>,
  ): Promise<FailedToolCall & { eventsFrom: string }> {
    const job = await this.queue.getJob(jobId);
    if (!job || job.name !== toolCallJob.name) throw new Error(`no tool call with job id "${jobId}" is kept`);
    const state = await job.getState();
    if (state !== 'failed') throw new Error(`tool call ${jobId} is ${state}, not failed: only failed calls replay`);
    const described = describe(job);
    // Fail closed: a replay that cannot be recorded does not happen.
    await before(described);
    // The replay is the operator's: no api instance waits for it, so neither the first run's reply channel, its
    // start-by time (long past: the worker would refuse it as expired) nor its trace applies.
    const data: ToolCallPayload = { ...job.data, replayedAt: Date.now() };
    delete data.startBy;
    delete data.replyTo;
    // A trace of its own: the first run's ended long ago (and may be gone). BullMQ carries the trace too, in the
    // job's options (`tm`), which its worker would continue.
    delete data.traceContext;
    await job.updateData(data);
    const key = this.queue.toKey(jobId);
    const options = await this.redis.hget(key, 'opts');
    if (options) {
      const { tm, ...rest } = JSON.parse(options) as Record<string, unknown>;
      if (tm !== undefined) await this.redis.eval(REPLACE_OPTIONS, 1, key, options, JSON.stringify(rest));
    }
    // Nor the first run's cancellation: its api, told the call failed, marked it cancelled for as long as it waited.
    await this.redis.del(toolCancelledKey(this.prefix, jobId));
    // An empty stream holds no event of the first run either: listening from its start is safe.
    const [last] = await this.redis.xrevrange(this.queue.toKey('events'), '+', '-', 'COUNT', 1);
    await job.retry('failed');
    return { ...described, eventsFrom: last?.[0] ?? '0-0' };
  }

  /**
   * How the replay of `jobId` ended, heard on the queue's event stream from `from` on: at a high rate of calls the
   * queue removes a finished job within seconds (by count), so its job may be gone before anyone looks.
   */
  async outcome(jobId: string, from: string, timeoutMs: number): Promise<ReplayOutcome> {
    const connection = this.redis.duplicate();
    const events = new QueueEvents(this.queue.name, { connection, prefix: this.prefix, lastEventId: from });
    try {
      return await new Promise<ReplayOutcome>((resolve, reject) => {
        const timer = setTimeout(() => resolve({ state: 'running' }), timeoutMs);
        events.on(`completed:${jobId}` as 'completed', ({ returnvalue }: { returnvalue: unknown }) => {
          clearTimeout(timer);
          const result = resultOf(typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue);
          resolve({ state: 'completed', ...(result ? { result } : {}) });
        });
        events.on(`failed:${jobId}` as 'failed', ({ failedReason }: { failedReason: string }) => {
          clearTimeout(timer);
          resolve({ state: 'failed', reason: failedReason.slice(0, 500) });
        });
        events.waitUntilReady().catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      });
    } finally {
      await events.close();
      connection.disconnect();
    }
  }
}
