import type { Job } from 'bullmq';
import type { JobContext, JobDefinition } from './job-definition.js';

export class UnknownJobError extends Error {
  constructor(name: string) {
    super(`no handler for job "${name}"`);
    this.name = 'UnknownJobError';
  }
}

/**
 * Routes a BullMQ job to its definition. The payload is parsed again here: a producer's bug or a tampered
 * Redis entry fails the job with a validation error instead of reaching the handler.
 */
export function createDispatcher(
  definitions: readonly JobDefinition[],
  hooks: {
    /** Told of each progress report too (tool calls publish it to the waiting api instance). */
    onProgress?: (job: Job, value: Parameters<JobContext['progress']>[0]) => void;
    /** Told of what a job returns, as it returns it (tool calls publish it to the waiting api instance). */
    onResult?: (job: Job, result: unknown) => void;
  } = {},
) {
  const byName = new Map(definitions.map((definition) => [definition.contract.name, definition]));
  return async (job: Job): Promise<unknown> => {
    const definition = byName.get(job.name);
    if (!definition) throw new UnknownJobError(job.name);
    const payload: unknown = definition.contract.schema.parse(job.data);
    const result = await definition.handle(payload, {
      jobId: job.id ?? '',
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      progress: (value) => {
        hooks.onProgress?.(job, value);
        return job.updateProgress(value);
      },
    });
    hooks.onResult?.(job, result);
    return result;
  };
}
