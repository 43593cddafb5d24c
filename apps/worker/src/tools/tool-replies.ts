import type { ToolCallReply, ToolCallResult } from '@gatehouse/contracts';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

type Progress = Extract<ToolCallReply, { kind: 'progress' }>['progress'];

function replyChannelOf(job: Job | undefined): string | undefined {
  const replyTo = (job?.data as { replyTo?: unknown } | undefined)?.replyTo;
  return typeof replyTo === 'string' ? replyTo : undefined;
}

/**
 * Answers tool calls on the channel of the api instance that waits for each (its payload's `replyTo`; see the api's
 * ToolReplyInbox): progress while a call runs, its result as the handler returns it, and the job's failure once it
 * has failed for good (not between retries). Publishing is best effort: the api also polls the job's state.
 *
 * `publisher` is the worker's own BullMQ connection: the result's PUBLISH goes out before the command that records
 * the job completed, which BullMQ issues right after it, on the same connection (Redis keeps their order). Should
 * that command fail (the job's lock was lost), the caller has its answer and the job ends as failed: never run again.
 */
export function answerToolCalls(worker: Worker, publisher: Redis, onError: (error: unknown) => void) {
  const publish = (job: Job | undefined, reply: ToolCallReply) => {
    const channel = replyChannelOf(job);
    if (channel) publisher.publish(channel, JSON.stringify(reply)).catch(onError);
  };
  worker.on('failed', (job, error) => {
    // finishedOn is set only when the job has failed for good.
    if (job?.finishedOn) publish(job, { kind: 'failed', jobId: job.id!, reason: error.message.slice(0, 500) });
  });
  return {
    progress(job: Job, progress: Progress): void {
      publish(job, { kind: 'progress', jobId: job.id!, progress });
    },
    /** The handler's answer (a ToolCallResult; the api validates it). */
    result(job: Job, result: ToolCallResult): void {
      publish(job, { kind: 'result', jobId: job.id!, result });
    },
  };
}
