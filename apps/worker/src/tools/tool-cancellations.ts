import { toolCancelledKey } from '@gatehouse/contracts';
import type { Redis } from 'ioredis';

/**
 * Cancellation of running tool calls across processes: an api instance that receives `notifications/cancelled`
 * marks the call cancelled (`toolCancelledKey`) and publishes its job id; the worker running it aborts the handler's
 * signal (its provider request is aborted with it). Uses a subscriber connection of its own, and `redis` to read the
 * marks of calls it took after their announcement.
 */
export class ToolCancellations {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly redis: Redis,
    private readonly prefix: string,
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

  /**
   * Whether the call was cancelled before it was registered (its announcement came before this worker listened for
   * it). Asked after `register`: a cancellation marked later is announced later, and heard.
   */
  async markedBefore(jobId: string, callId: string | undefined): Promise<boolean> {
    const marked = await this.redis.get(toolCancelledKey(this.prefix, jobId));
    // The mark names the add it cancelled: a later add of the same request (a re-send) is another call.
    return marked !== null && (callId === undefined || marked === callId);
  }
}
