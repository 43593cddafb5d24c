import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { McpSessionStreams, toolListChangedNotification, type SessionStreamTarget } from '@gatehouse/mcp';
import { endpointUrl, type McpServerChange } from '@gatehouse/registry';
import type { JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import type { Redis } from 'ioredis';

/**
 * What names a session on Redis: the SHA-256 of its id. Session ids are secrets (with the token, they are the
 * session), so neither channel names nor stored records ever carry one.
 */
export function sessionAddress(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

/** What travels on a session's channel. */
type SessionEvent =
  | { type: 'message'; message: JSONRPCNotification }
  /** A stream was opened somewhere (token names it): every older one of the session closes. */
  | { type: 'opened'; token: string }
  /** The session was deleted: its stream closes wherever it is. */
  | { type: 'ended' };

interface LocalStream {
  readonly token: string;
  /** Its own `opened` came back: any other `opened` seen from now on is newer than this stream. */
  announced: boolean;
}

/**
 * Server-initiated messages for MCP sessions, across api instances. A session's standalone GET stream lives in
 * the one process that received the GET (`McpSessionStreams`); whoever has something to tell the session (another
 * instance's admin request, the connect callback) publishes it on the session's Redis channel, to which exactly the
 * process holding the stream subscribes. Server changes go on one channel every instance listens to: each drops its
 * cached endpoint and tells its own streams of that server that the tool list changed.
 *
 * One stream per session across all instances: a new stream announces itself on the session's channel and every
 * older one closes. Redis delivers a channel's messages in publish order, so an instance knows which announcements
 * are newer than its own stream (those that arrive after its own) and the newest stream always survives.
 */
export class RedisNotificationHub {
  private readonly streams: McpSessionStreams;
  private readonly local = new Map<string, LocalStream>();
  /** Channel → session id, while this process holds or is opening a stream of the session. */
  private readonly channels = new Map<string, string>();
  /** Opens in progress or streams held, per session: the channel is unsubscribed when it drops to 0. */
  private readonly interest = new Map<string, number>();
  private readonly serverListeners: Array<(change: McpServerChange) => void> = [];
  private readonly serversChannel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly publicApiUrl: string,
    private readonly onError: (error: unknown) => void = () => {},
    keepAliveMs = 25_000,
  ) {
    this.streams = new McpSessionStreams({ keepAliveMs });
    this.serversChannel = `${prefix}:mcp:server-changed`;
    subscriber.on('message', (channel: string, raw: string) => {
      try {
        this.received(channel, raw);
      } catch (error) {
        this.onError(error);
      }
    });
  }

  start(): Promise<unknown> {
    return this.subscriber.subscribe(this.serversChannel);
  }

  /** Ends every stream of this process: an open one would keep the HTTP server from closing. */
  closeStreams(): void {
    this.streams.closeAll();
  }

  async close(): Promise<void> {
    this.closeStreams();
    await this.subscriber.quit();
  }

  /** Runs in every instance, before its streams hear of the change (e.g. drop the cached endpoint). */
  onServerChanged(listener: (change: McpServerChange) => void): void {
    this.serverListeners.push(listener);
  }

  /**
   * Opens the session's standalone stream on `res` (the caller has checked the session, its owner and `Accept`).
   * Subscribed before the response starts, so nothing published once the client sees the stream is lost.
   */
  async open(res: ServerResponse, target: SessionStreamTarget): Promise<void> {
    const { sessionId } = target;
    const channel = this.channelOf(sessionAddress(sessionId));
    this.interest.set(sessionId, (this.interest.get(sessionId) ?? 0) + 1);
    this.channels.set(channel, sessionId);
    try {
      await this.subscriber.subscribe(channel);
    } catch (error) {
      this.release(sessionId, channel);
      throw error;
    }
    const token = randomUUID();
    const opened = this.streams.open(res, target, () => {
      if (this.local.get(sessionId)?.token === token) this.local.delete(sessionId);
      this.release(sessionId, channel);
    });
    if (!opened) {
      this.release(sessionId, channel);
      return;
    }
    this.local.set(sessionId, { token, announced: false });
    // Without it an older stream elsewhere lives on until its client leaves; this one works all the same.
    await this.publish(channel, { type: 'opened', token }).catch(this.onError);
  }

  /** Sends `message` to the session whose address this is, on whichever instance holds its stream. */
  async sendToSession(address: string, message: JSONRPCNotification): Promise<boolean> {
    return (await this.publish(this.channelOf(address), { type: 'message', message })) > 0;
  }

  /** The session was deleted: its stream ends, wherever it is. */
  async endSession(sessionId: string): Promise<void> {
    this.streams.close(sessionId);
    await this.publish(this.channelOf(sessionAddress(sessionId)), { type: 'ended' });
  }

  /**
   * Announces a committed server change to every instance (this one included). A failure is reported, not thrown:
   * the change stands, and cached endpoints expire within seconds anyway.
   */
  async serverChanged(change: McpServerChange): Promise<void> {
    await this.publisher.publish(this.serversChannel, JSON.stringify(change)).catch(this.onError);
  }

  private channelOf(address: string): string {
    return `${this.prefix}:mcp:session-events:${address}`;
  }

  private publish(channel: string, event: SessionEvent): Promise<number> {
    return this.publisher.publish(channel, JSON.stringify(event));
  }

  private release(sessionId: string, channel: string): void {
    const left = (this.interest.get(sessionId) ?? 1) - 1;
    if (left > 0) {
      this.interest.set(sessionId, left);
      return;
    }
    this.interest.delete(sessionId);
    this.channels.delete(channel);
    this.subscriber.unsubscribe(channel).catch(this.onError);
  }

  private received(channel: string, raw: string): void {
    if (channel === this.serversChannel) {
      this.serverChangedHere(JSON.parse(raw) as McpServerChange);
      return;
    }
    const sessionId = this.channels.get(channel);
    if (sessionId === undefined) return;
    const event = JSON.parse(raw) as SessionEvent;
    switch (event.type) {
      case 'message':
        this.streams.send(sessionId, event.message);
        return;
      case 'ended':
        this.streams.close(sessionId);
        return;
      case 'opened': {
        const mine = this.local.get(sessionId);
        if (!mine) return;
        if (event.token === mine.token) mine.announced = true;
        else if (mine.announced) this.streams.close(sessionId);
        return;
      }
    }
  }

  private serverChangedHere(change: McpServerChange): void {
    for (const listener of this.serverListeners) listener(change);
    const resource = endpointUrl(this.publicApiUrl, change.tenantSlug, change.serverSlug);
    if (change.toolsChanged) this.streams.sendToResource(resource, toolListChangedNotification());
    // A deleted server has nothing more to say: its sessions' streams end.
    if (change.deleted) this.streams.closeResource(resource);
  }
}
