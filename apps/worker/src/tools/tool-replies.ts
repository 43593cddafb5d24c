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
 * ToolReplyInbox): the result once BullMQ has recorded the job completed, the failure once it has failed for good
 * (not between retries), and progress while it runs. Publishing is best effort: the api also polls the job's state.
 */
export function answerToolCalls(worker: Worker, publisher: Redis, onError: (error: unknown) => void) {
  const publish = (job: Job | undefined, reply: ToolCallReply) => {
    const channel = replyChannelOf(job);
    if (channel) publisher.publish(channel, JSON.stringify(reply)).catch(onError);
  };
  // What the tool-call job returned (a ToolCallResult); the api validates it.
  worker.on('completed', (job, result: ToolCallResult) => publish(job, { kind: 'result', jobId: job.id!, result }));
  worker.on('failed', (job, error) => {
    // finishedOn is set only when the job has failed for good.
    if (job?.finishedOn) publish(job, { kind: 'failed', jobId: job.id!, reason: error.message.slice(0, 500) });
  });
  return {
    progress(job: Job, progress: Progress): void {
      publish(job, { kind: 'progress', jobId: job.id!, progress });
    },
  };
}
