import { InProcessMessageRelay, type McpMessageRelay } from '@gatehouse/mcp';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Redis } from 'ioredis';

/**
 * Delivers a client's answer (sampling, elicitation, cancellation) to whichever api instance holds the waiting
 * tool call: locally when it is here, else over Redis pub/sub to every instance, where the one waiting takes it.
 */
export class RedisMessageRelay implements McpMessageRelay {
  private readonly local = new InProcessMessageRelay();
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}:mcp:relay`;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      const { sessionId, key, message } = JSON.parse(raw) as {
        sessionId: string;
        key: string;
        message: JSONRPCMessage;
      };
      void this.local.deliver(sessionId, key, message);
    });
  }

  start(): Promise<unknown> {
    return this.subscriber.subscribe(this.channel);
  }

  async close(): Promise<void> {
    await this.subscriber.quit();
  }

  register(sessionId: string, key: string, deliver: (message: JSONRPCMessage) => void): () => void {
    return this.local.register(sessionId, key, deliver);
  }

  async deliver(sessionId: string, key: string, message: JSONRPCMessage): Promise<boolean> {
    if (await this.local.deliver(sessionId, key, message)) return true;
    const receivers = await this.publisher.publish(this.channel, JSON.stringify({ sessionId, key, message }));
    // Another instance may be waiting for it (each subscribes once; this one is among the receivers).
    return receivers > 1;
  }
}
