import { createHash, randomUUID } from 'node:crypto';
import { InProcessMessageRelay, type McpMessageRelay, type RelayKeyOptions } from '@gatehouse/mcp';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Redis } from 'ioredis';

/** A waiting tool call outlives no MCP request; its registration in Redis expires after this long regardless. */
const WAITER_TTL_MS = 15 * 60_000;

/**
 * Delivers a client's answer (sampling, elicitation, cancellation) to whichever api instance holds the waiting
 * tool call. Locally when it is here; otherwise Redis says which instance registered the wait, and the message is
 * published on that instance's own channel. So "nobody waits for this" is reported truthfully, and instances do
 * not see each other's traffic. Rare keys (every request's cancellation) are not registered in Redis — two
 * commands per request for something few requests see —: a cancellation that is not for this instance is
 * published to every instance, and the one holding the request acts on it.
 */
export class RedisMessageRelay implements McpMessageRelay {
  private readonly local = new InProcessMessageRelay();
  private readonly instance = randomUUID();
  private readonly channel: string;
  private readonly everyone: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.channel = this.channelOf(this.instance);
    this.everyone = `${prefix}:mcp:relay:all`;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel && channel !== this.everyone) return;
      const { sessionId, key, message } = JSON.parse(raw) as {
        sessionId: string;
        key: string;
        message: JSONRPCMessage;
      };
      void this.local.deliver(sessionId, key, message);
    });
  }

  private channelOf(instance: string): string {
    return `${this.prefix}:mcp:relay:${instance}`;
  }

  /** Session ids are secrets: only a hash of them names a Redis key. */
  private waiterKey(sessionId: string, key: string): string {
    const slot = createHash('sha256').update(`${sessionId}\u0000${key}`).digest('base64url');
    return `${this.prefix}:mcp:waiter:${slot}`;
  }

  start(): Promise<unknown> {
    return this.subscriber.subscribe(this.channel, this.everyone);
  }

  async close(): Promise<void> {
    // A connection still reconnecting (Redis went away a moment ago) cannot quit politely: drop it, never fail shutdown.
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  register(
    sessionId: string,
    key: string,
    deliver: (message: JSONRPCMessage) => void,
    options?: RelayKeyOptions,
  ): () => void {
    const stop = this.local.register(sessionId, key, deliver);
    if (options?.rare) return stop;
    const waiter = this.waiterKey(sessionId, key);
    this.publisher.set(waiter, this.instance, 'PX', WAITER_TTL_MS).catch(this.onError);
    return () => {
      stop();
      // Only our own registration: a later one for the same key elsewhere stays.
      this.publisher
        .eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
          1,
          waiter,
          this.instance,
        )
        .catch(this.onError);
    };
  }

  async deliver(sessionId: string, key: string, message: JSONRPCMessage, options?: RelayKeyOptions): Promise<boolean> {
    if (await this.local.deliver(sessionId, key, message)) return true;
    // This instance hears its own broadcast too: delivered means at least one other instance heard it.
    if (options?.rare)
      return (await this.publisher.publish(this.everyone, JSON.stringify({ sessionId, key, message }))) > 1;
    const owner = await this.publisher.get(this.waiterKey(sessionId, key));
    if (!owner || owner === this.instance) return false;
    return (await this.publisher.publish(this.channelOf(owner), JSON.stringify({ sessionId, key, message }))) > 0;
  }
}
