import type { Redis } from 'ioredis';

/** The Redis channel on which api instances announce cancelled tool calls (by job id). */
export function toolCancelChannel(prefix: string): string {
  return `${prefix}:tool-cancel`;
}

/**
 * Cancellation of running tool calls across processes: an api instance that receives `notifications/cancelled`
 * publishes the call's job id; the worker running it aborts the handler's signal (its provider request is aborted
 * with it). Uses a subscriber connection of its own.
 */
export class ToolCancellations {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {
    subscriber.on('message', (from: string, jobId: string) => {
      if (from === this.channel) this.running.get(jobId)?.abort(new Error('cancelled by the client'));
    });
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  /** A signal that aborts when the call is cancelled; call the returned release when the job ends. */
  register(jobId: string): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    return { signal: controller.signal, release: () => this.running.delete(jobId) };
  }
}
