import { randomUUID } from 'node:crypto';
import { toolCallReply, toolCallResult, type ToolCallReply, type ToolCallResult } from '@gatehouse/contracts';
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';

type Progress = Extract<ToolCallReply, { kind: 'progress' }>['progress'];

interface Waiter {
  resolve: (result: ToolCallResult) => void;
  reject: (error: Error) => void;
  onProgress: (progress: Progress) => void;
}

/**
 * The call's job is gone but its request was called before: a re-send after the queue dropped the first call's answer
 * (see TOOL_CALL_REPLAY_WINDOW_SECONDS). The caller must not run it again.
 */
export class AnswerNoLongerKept extends Error {
  constructor() {
    super('this request was already called and its answer is no longer kept');
    this.name = 'AnswerNoLongerKept';
  }
}

/** How soon, then how often, a waiting call also asks Redis for its job's state (lost message, duplicate, stall). */
const FIRST_POLL_MS = 500;
const POLL_MS = 1_000;

/**
 * Where this api instance's tool calls get their answers: a Redis channel of its own (`<prefix>:tool-reply:<id>`),
 * named in each job's `replyTo`, on which the worker publishes the call's progress and its answer. Only the instance
 * that waits hears about a call — nothing is fanned out to every instance — and the answer costs one PUBLISH.
 * Pub/sub is fire-and-forget, so each waiting call also polls its job's state (first after half a second, then every
 * second): an answer lost to a reconnect, a re-sent call whose job had already finished, and a job failed because
 * its worker died all still reach the caller.
 */
export class ToolReplyInbox {
  readonly channel: string;
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(
    private readonly subscriber: Redis,
    prefix: string,
    private readonly queue: Queue,
  ) {
    this.channel = `${prefix}:tool-reply:${randomUUID()}`;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.receive(raw);
    });
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    for (const [jobId, waiters] of this.waiting)
      for (const waiter of waiters) waiter.reject(new Error(`stopped waiting for ${jobId}: the api is shutting down`));
    this.waiting.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  /**
   * Waits for job `jobId`'s answer (register before adding the job, so no reply can come first). Resolves with the
   * worker's (validated) result; rejects with the job's failure, or after `timeoutMs`. `stop` when no longer
   * interested.
   */
  wait(
    jobId: string,
    options: { timeoutMs: number; onProgress: (progress: Progress) => void },
  ): { answer: Promise<ToolCallResult>; stop: () => void } {
    let waiter!: Waiter;
    let poll: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearTimeout(poll);
      clearTimeout(deadline);
      const waiters = this.waiting.get(jobId);
      waiters?.delete(waiter);
      if (waiters?.size === 0) this.waiting.delete(jobId);
    };
    const answer = new Promise<ToolCallResult>((resolve, reject) => {
      waiter = {
        resolve: (value) => {
          stop();
          resolve(value);
        },
        reject: (error) => {
          stop();
          reject(error);
        },
        onProgress: options.onProgress,
      };
    });
    // Settled whether or not anyone still awaits it (a caller that stopped waiting, or has not begun to): never an
    // unhandled rejection, which would end the process.
    answer.catch(() => undefined);
    const waiters = this.waiting.get(jobId) ?? new Set<Waiter>();
    waiters.add(waiter);
    this.waiting.set(jobId, waiters);
    const deadline = setTimeout(
      () => waiter.reject(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const check = (delay: number) => {
      if (stopped) return;
      poll = setTimeout(() => {
        this.settled(jobId).then(
          (settled) => {
            if (stopped) return;
            if (settled) settled(waiter);
            else check(POLL_MS);
          },
          () => check(POLL_MS),
        );
      }, delay);
    };
    check(FIRST_POLL_MS);
    return { answer, stop };
  }

  /** How the job ended, if it has: completed, failed for good, or gone. Undefined while it is waiting or running. */
  private async settled(jobId: string): Promise<((waiter: Waiter) => void) | undefined> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'unknown') {
      // The queue still remembers (for the replay window) a request whose job it has dropped: it was called before.
      const called = (await this.queue.getDeduplicationJobId(jobId)) === jobId;
      // Unless the job was being added just now (a slow add, landing between the two reads): then it is waiting.
      if (called && (await this.queue.getJobState(jobId)) !== 'unknown') return undefined;
      return (waiter) => waiter.reject(called ? new AnswerNoLongerKept() : new Error('the job is gone'));
    }
    if (state !== 'completed' && state !== 'failed') return undefined;
    const job = await Job.fromId(this.queue, jobId);
    if (!job) return (waiter) => waiter.reject(new Error('the job is gone'));
    if (state === 'completed') {
      const result = toolCallResult.safeParse(job.returnvalue);
      return result.success
        ? (waiter) => waiter.resolve(result.data)
        : (waiter) => waiter.reject(new Error('the worker answered something unexpected'));
    }
    return (waiter) => waiter.reject(new Error(job.failedReason || 'the job failed'));
  }

  private receive(raw: string): void {
    let message: { jobId?: unknown };
    try {
      message = JSON.parse(raw) as { jobId?: unknown };
    } catch {
      return;
    }
    // Only a waited-for job's reply is parsed in full.
    const waiters = typeof message.jobId === 'string' ? this.waiting.get(message.jobId) : undefined;
    if (!waiters) return;
    const parsed = toolCallReply.safeParse(message);
    if (!parsed.success) return;
    const reply = parsed.data;
    for (const waiter of [...waiters]) {
      if (reply.kind === 'progress') waiter.onProgress(reply.progress);
      else if (reply.kind === 'result') waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.reason));
    }
  }
}

/**
 * Removes job `jobId` if it waits to run and never stalled; true when it did. "Waiting" alone does not say it is
 * safe to drop: a job whose worker died mid-call waits again (BullMQ moves a stalled job back to wait, marked to fail
 * when next taken), and removing it would also remove its deduplication key — the same request re-sent would then
 * run the call a second time, and the failed job would be gone before anyone could inspect or replay it. Any other
 * waiting job — never taken, put back unrun (a worker's share per tenant), or between two attempts of a tool that
 * may be retried — is dropped, so nothing of it runs after its caller was told it was interrupted.
 */
export async function removeWaitingUnlessStalled(queue: Queue, jobId: string): Promise<boolean> {
  const job = await Job.fromId(queue, jobId);
  if (!job || job.stalledCounter > 0 || job.deferredFailure) return false;
  const state = await job.getState();
  if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
  // A worker may take it in between: BullMQ refuses to remove a locked job, and that call is aborted instead.
  return (await queue.remove(jobId)) === 1;
}
