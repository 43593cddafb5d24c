import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  compareStreamEventIds,
  isStreamEventId,
  logOfStreamEventId,
  streamPositionsOf,
  McpSessionStreams,
  toolListChangedNotification,
  type SessionStreamTarget,
  type StreamEvent,
} from '@gatehouse/mcp';
import { endpointUrl, type McpServerChange } from '@gatehouse/registry';
import { withTimeout } from '@gatehouse/telemetry';
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
  | { type: 'message'; message: JSONRPCNotification; id?: string }
  /** A stream was opened somewhere (token names it): every older one of the session closes. */
  | { type: 'opened'; token: string }
  /** The session was deleted: its stream closes wherever it is. */
  | { type: 'ended' };

/** A server change as announced to every instance: with the event id of its `list_changed`, if it logged one. */
type AnnouncedChange = McpServerChange & { eventId?: string };

/** How many notifications a session's or a server's log keeps, and for how long after the last one. */
const LOG_ENTRIES = 100;
const LOG_SECONDS = 3600;
/** Longest wait for a log read before a live event: past it the event is sent as it came. */
const LOG_READ_TIMEOUT_MS = 2_000;

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
 *
 * Resumable: every notification is also appended to a log in Redis — the session's (`elicitation/complete`) or the
 * server's (`list_changed`), streams of at most 100 entries kept an hour after the last — and sent with an SSE
 * event id naming its entry. A client that reconnects with `Last-Event-ID` first gets what both logs hold after
 * that id, then the live stream; events that arrive while the logs are read wait and are not sent twice.
 */
export class RedisNotificationHub {
  private readonly streams: McpSessionStreams;
  private readonly local = new Map<string, LocalStream>();
  /** Channel → session id, while this process holds or is opening a stream of the session. */
  private readonly channels = new Map<string, string>();
  /** Opens in progress or streams held, per session: the channel is unsubscribed when it drops to 0. */
  private readonly interest = new Map<string, number>();
  /**
   * Per session, the handling of what its channel brought, still in progress: each waits for the one before, so a
   * stream ended or replaced (from another instance) after an event arrived still sends that event first (its log is
   * read before sending). A newer stream opened on this instance replaces the old one at once; queued events then go
   * to the newer stream.
   */
  private readonly handling = new Map<string, Promise<void>>();
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
    // A connection still reconnecting (Redis went away a moment ago) cannot quit politely: drop it, never fail shutdown.
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  /** Runs in every instance, before its streams hear of the change (e.g. drop the cached endpoint). */
  onServerChanged(listener: (change: McpServerChange) => void): void {
    this.serverListeners.push(listener);
  }

  /**
   * Opens the session's standalone stream on `res` (the caller has checked the session, its owner and `Accept`).
   * Subscribed before the response starts, so nothing published once the client sees the stream is lost.
   */
  async open(res: ServerResponse, target: SessionStreamTarget, lastEventId?: string): Promise<void> {
    const { sessionId } = target;
    const address = sessionAddress(sessionId);
    const channel = this.channelOf(address);
    const logs = { s: this.sessionLog(address), v: this.serverLog(target.resource) };
    const resuming = isStreamEventId(lastEventId);
    // Where the client stands in each log: where it says it was, or (a new stream) where the logs end before it
    // subscribes — an event logged in between is not sent live, but a later resumption still finds it.
    const positions = resuming
      ? streamPositionsOf(lastEventId, Object.keys(logs))
      : await this.ends(logs).catch((error: unknown) => {
          this.onError(error);
          return new Map<string, string>();
        });
    this.interest.set(sessionId, (this.interest.get(sessionId) ?? 0) + 1);
    this.channels.set(channel, sessionId);
    try {
      await this.subscriber.subscribe(channel);
    } catch (error) {
      this.release(sessionId, channel);
      throw error;
    }
    const token = randomUUID();
    const opened = this.streams.open(
      res,
      target,
      () => {
        if (this.local.get(sessionId)?.token === token) this.local.delete(sessionId);
        this.release(sessionId, channel);
      },
      resuming,
      positions,
    );
    if (!opened) {
      this.release(sessionId, channel);
      return;
    }
    this.local.set(sessionId, { token, announced: false });
    // Without it an older stream elsewhere lives on until its client leaves; this one works all the same.
    await this.publish(channel, { type: 'opened', token }).catch(this.onError);
    if (!resuming) return;
    // Subscribed before reading: whatever is logged after the read also arrives live (and waits until then).
    const missed = await Promise.all([
      this.logged(logs.s, 's', positions.get('s')!),
      this.logged(logs.v, 'v', positions.get('v')!),
    ]).catch((error: unknown) => {
      this.onError(error);
      return [[], []];
    });
    this.streams.resume(
      sessionId,
      res,
      missed.flat().sort((a, b) => compareStreamEventIds(a.id!, b.id!)),
    );
  }

  /**
   * Sends `message` to the session whose address this is, on whichever instance holds its stream — or, logged, to
   * its next stream that resumes. True when a stream heard it live.
   */
  async sendToSession(address: string, message: JSONRPCNotification): Promise<boolean> {
    const id = await this.log(this.sessionLog(address), 's', message);
    return (await this.publish(this.channelOf(address), { type: 'message', message, id })) > 0;
  }

  /** The session was deleted: its stream ends, wherever it is. */
  async endSession(sessionId: string): Promise<void> {
    this.inTurn(sessionId, () => {
      this.streams.close(sessionId);
    });
    await this.publish(this.channelOf(sessionAddress(sessionId)), { type: 'ended' });
  }

  /**
   * Announces a committed server change to every instance (this one included). A failure is reported, not thrown:
   * the change stands, and cached endpoints expire within seconds anyway.
   */
  async serverChanged(change: McpServerChange): Promise<void> {
    let eventId: string | undefined;
    if (change.toolsChanged && !change.deleted) {
      const resource = endpointUrl(this.publicApiUrl, change.tenantSlug, change.serverSlug);
      // Not logged: announced all the same (caches must drop the server), just not resumable.
      eventId = await this.log(this.serverLog(resource), 'v', toolListChangedNotification()).catch((error: unknown) => {
        this.onError(error);
        return undefined;
      });
    }
    const announced: AnnouncedChange = eventId ? { ...change, eventId } : change;
    await this.publisher.publish(this.serversChannel, JSON.stringify(announced)).catch(this.onError);
  }

  private channelOf(address: string): string {
    return `${this.prefix}:mcp:session-events:${address}`;
  }

  private sessionLog(address: string): string {
    return `${this.prefix}:mcp:session-log:${address}`;
  }

  private serverLog(resource: string): string {
    return `${this.prefix}:mcp:server-log:${createHash('sha256').update(resource).digest('base64url')}`;
  }

  /** Appends `message` to a log; its event id (`<entry id>-<tag>`). */
  private async log(key: string, tag: 's' | 'v', message: JSONRPCNotification): Promise<string> {
    const [[error, id]] = (await this.publisher
      .multi()
      .xadd(key, 'MAXLEN', '~', LOG_ENTRIES, '*', 'm', JSON.stringify(message))
      .expire(key, LOG_SECONDS)
      .exec()) as [[Error | null, string], [Error | null, number]];
    if (error) throw error;
    return `${id}-${tag}`;
  }

  /** Per log, the position of its last event (`0-0` for a log that is empty or gone). */
  private async ends(logs: Record<'s' | 'v', string>): Promise<Map<string, string>> {
    const ends = await Promise.all(
      Object.entries(logs).map(async ([tag, key]) => {
        const [last] = await this.publisher.xrevrange(key, '+', '-', 'COUNT', 1);
        return [tag, `${last?.[0] ?? '0-0'}-${tag}`] as const;
      }),
    );
    return new Map(ends);
  }

  /** What a log holds after event `after` (up to event `upTo`, or its first LOG_ENTRIES), oldest first. */
  private async logged(key: string, tag: 's' | 'v', after: string, upTo?: string): Promise<StreamEvent[]> {
    const entryOf = (id: string) => id.slice(0, id.lastIndexOf('-'));
    const start = entryOf(after);
    const entries = upTo
      ? await this.publisher.xrange(key, start, entryOf(upTo))
      : await this.publisher.xrange(key, start, '+', 'COUNT', LOG_ENTRIES);
    return entries
      .map(([entry, fields]) => ({
        id: `${entry}-${tag}`,
        message: JSON.parse(fields[fields.indexOf('m') + 1]!) as JSONRPCNotification,
      }))
      .filter((event) => compareStreamEventIds(event.id, after) > 0);
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
      this.serverChangedHere(JSON.parse(raw) as AnnouncedChange);
      return;
    }
    const sessionId = this.channels.get(channel);
    if (sessionId === undefined) return;
    const event = JSON.parse(raw) as SessionEvent;
    this.inTurn(sessionId, () => this.handle(sessionId, event));
  }

  /** Runs `step` after every step queued before it for the session. */
  private inTurn(sessionId: string, step: () => Promise<void> | void): void {
    const turn = (this.handling.get(sessionId) ?? Promise.resolve()).then(step).catch((error: unknown) => {
      try {
        this.onError(error);
      } catch {
        // A failing error reporter must not stop the session's later steps.
      }
    });
    this.handling.set(sessionId, turn);
    void turn.then(() => {
      if (this.handling.get(sessionId) === turn) this.handling.delete(sessionId);
    });
  }

  private async handle(sessionId: string, event: SessionEvent): Promise<void> {
    switch (event.type) {
      case 'message': {
        const live = { message: event.message, id: event.id };
        for (const logged of await this.inLogOrder(live, this.sessionLog(sessionAddress(sessionId)), (log) =>
          this.streams.position(sessionId, log),
        ))
          this.streams.send(sessionId, logged);
        return;
      }
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

  /**
   * What to send for a logged live event: whatever its log holds between where a stream stands in it (`positionIn`)
   * and the event, then the event. Two instances' events of one log reach a stream in the order they were published,
   * which need not be their order in the log, and a client that resumed after the later one would never get the
   * earlier. Read from the log (after `event` was logged), they go out in log order; one that comes later still is not
   * sent again (see McpSessionStreams.send). An event without a position goes as it came; one whose log cannot be
   * read in time goes without its id, so the stream's place in the log stays where it was and a later read or a
   * resumption still finds what lies before it (the client may then get this one twice: these notifications are
   * safe to repeat, losing one is not).
   */
  private async inLogOrder(
    event: StreamEvent,
    key: string,
    positionIn: (log: string) => string | undefined,
  ): Promise<StreamEvent[]> {
    const log = logOfStreamEventId(event.id);
    const after = log === undefined ? undefined : positionIn(log);
    if (log === undefined || after === undefined || compareStreamEventIds(event.id!, after) <= 0) return [event];
    try {
      // Up to the event itself, however many entries lie between (a log holds up to ~2 × LOG_ENTRIES). Not waited
      // for long: the sessions' later events and control messages wait for this one.
      const logged = await withTimeout(this.logged(key, log as 's' | 'v', after, event.id), LOG_READ_TIMEOUT_MS);
      // The event itself is among them if the log still held it; if not (trimmed or expired), it goes last.
      return logged.some((entry) => entry.id === event.id) ? logged : [...logged, event];
    } catch (error) {
      this.onError(error);
      return [{ message: event.message }];
    }
  }

  private serverChangedHere(change: AnnouncedChange): void {
    for (const listener of this.serverListeners) listener(change);
    const resource = endpointUrl(this.publicApiUrl, change.tenantSlug, change.serverSlug);
    // A change of one person's view (their role) goes to their sessions only.
    const sessions = this.streams.sessionsOf(resource, change.userId);
    if (change.toolsChanged) {
      // One read of the server's log for all its streams here; each session sends it in its turn, so a stream
      // replaced or ended after the change arrived still gets it first.
      const events = this.inLogOrder(
        { message: toolListChangedNotification(), id: change.eventId },
        this.serverLog(resource),
        (log) => this.streams.earliestPosition(resource, log, change.userId),
      );
      for (const sessionId of sessions)
        this.inTurn(sessionId, async () => {
          for (const event of await events) this.streams.send(sessionId, event);
        });
    }
    // A deleted server has nothing more to say: its sessions' streams end, after what they were sent.
    if (change.deleted)
      for (const sessionId of sessions)
        this.inTurn(sessionId, () => {
          this.streams.close(sessionId);
        });
  }
}
