import type { JobContract } from '@gatehouse/contracts';
import type { z } from 'zod';

export interface JobContext {
  jobId: string;
  /** 1 for the first run. */
  attempt: number;
  /** How many runs the job may have in all (its `attempts` option). */
  maxAttempts: number;
  /** Publishes progress (BullMQ job progress; the api relays it as notifications/progress). */
  progress(value: { progress: number; total?: number | undefined; message?: string | undefined }): Promise<void>;
}

/** A job the worker consumes: its contract (name + payload schema) and the handler that runs it (STYLE §11). */
export interface JobDefinition<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly contract: JobContract<Name, Schema>;
  handle(payload: z.infer<Schema>, context: JobContext): Promise<unknown>;
}

export function defineJob<Name extends string, Schema extends z.ZodType>(
  contract: JobContract<Name, Schema>,
  handle: (payload: z.infer<Schema>, context: JobContext) => Promise<unknown>,
): JobDefinition<Name, Schema> {
  return { contract, handle };
}
