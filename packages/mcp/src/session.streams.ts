import type { ServerResponse } from 'node:http';
import type {
  ElicitationCompleteNotification,
  JSONRPCNotification,
  ToolListChangedNotification,
} from '@modelcontextprotocol/sdk/types.js';

/** Where a standalone stream belongs: the client's session, at one hosted server (its endpoint URL). */
export interface SessionStreamTarget {
  readonly sessionId: string;
  readonly resource: string;
  /** Whose session it is: what concerns one person only (their role changed) goes to their streams only. */
  readonly userId?: string | undefined;
  /**
   * When the stream ends (epoch ms): when the access token it was opened with expires. A client reconnects with a
   * current token, so a person who left the organisation, or revoked the client, stops hearing the server then.
   */
  readonly until?: number | undefined;
}

export interface McpSessionStreamsOptions {
  /** A comment line this often keeps proxies and load balancers from timing an idle stream out. */
  readonly keepAliveMs?: number;
}

/** A message for a stream, with the SSE event id a client may resume after (`Last-Event-ID`), if it has one. */
export interface StreamEvent {
  readonly message: JSONRPCNotification;
  readonly id?: string | undefined;
}

interface OpenStream extends SessionStreamTarget {
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
  /** Ends the stream at `until`. */
  expiry: NodeJS.Timeout | undefined;
  readonly onClose: (() => void) | undefined;
  released: boolean;
  /** While what the client missed is being looked up: live events wait here, in order. */
  waiting: StreamEvent[] | undefined;
  /** Per log, the position of the last of its events the client has been sent (or had seen when it resumed). */
  readonly positions: Map<string, string>;
  /**
   * Per log, the last event the client has (sent here, or before its Last-Event-ID): never sent again. A new stream
   * starts empty: its positions are where its logs ended when it opened, and an event logged before that but
   * published after it subscribed is still sent.
   */
  readonly had: Map<string, string>;
}

/**
 * An event's position is `<ms>-<seq>-<log>`: a Redis stream entry id and which log it is in (`s` the session's, `v`
 * the server's). The SSE id sent with an event is the stream's position in every log, `_`-joined
 * (`1700000000003-0-s_1700000000001-2-v`): the logs are written by different instances, and their events reach a
 * stream in the order they were published, not in id order, so one position for all logs could skip an event of one
 * log that arrived after a later one of the other.
 */
const EVENT_ID = /^(\d{1,15})-(\d{1,10})-([a-z])$/;
const POSITIONS = /^\d{1,15}-\d{1,10}-[a-z](?:_\d{1,15}-\d{1,10}-[a-z]){0,7}$/;

/** Whether `id` is an event id this server issues (a `Last-Event-ID` to resume after). */
export function isStreamEventId(id: unknown): id is string {
  return typeof id === 'string' && POSITIONS.test(id);
}

/**
 * The position in each of `logs` that a `Last-Event-ID` names. A single position (an id issued before ids named
 * every log) stands for all of them; a log it does not name is read from its start.
 */
export function streamPositionsOf(lastEventId: string, logs: readonly string[]): Map<string, string> {
  const positions = new Map<string, string>();
  const parts = isStreamEventId(lastEventId) ? lastEventId.split('_') : [];
  for (const part of parts) positions.set(EVENT_ID.exec(part)![3]!, part);
  if (parts.length === 1) {
    const [, ms, seq] = EVENT_ID.exec(parts[0]!)!;
    for (const log of logs) positions.set(log, `${ms}-${seq}-${log}`);
  }
  // A log the id does not name: from its start.
  for (const log of logs) if (!positions.has(log)) positions.set(log, `0-0-${log}`);
  return positions;
}

/** Which log an event id names (`s`, `v`), if it is one. */
export function logOfStreamEventId(id: string | undefined): string | undefined {
  return id === undefined ? undefined : EVENT_ID.exec(id)?.[3];
}

/** Orders the positions of events: by time, then sequence, then log. */
export function compareStreamEventIds(a: string, b: string): number {
  const [, am, as, al] = EVENT_ID.exec(a)!;
  const [, bm, bs, bl] = EVENT_ID.exec(b)!;
  return Number(am) - Number(bm) || Number(as) - Number(bs) || (al! < bl! ? -1 : al! > bl! ? 1 : 0);
}

/** Whether an `Accept` header lets the server answer with Server-Sent Events. */
export function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .some((type) => type === 'text/event-stream' || type === 'text/*' || type === '*/*');
}

export function toolListChangedNotification(): JSONRPCNotification & ToolListChangedNotification {
  return { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };
}

export function elicitationCompleteNotification(
  elicitationId: string,
): JSONRPCNotification & ElicitationCompleteNotification {
  return { jsonrpc: '2.0', method: 'notifications/elicitation/complete', params: { elicitationId } };
}

/**
 * The standalone SSE streams (`GET` on the MCP endpoint) this process holds, by session and by server. A session
 * has at most one here: a new one replaces the old (a client that reconnects after a network failure must not
 * wait for the dead connection to time out). Servers are per request, so nothing else can reach a client between
 * its requests: whoever wants to tell a session something (a changed tool list, a finished URL elicitation) writes
 * it here, in the process holding the stream. Every message goes to exactly one stream.
 */
export class McpSessionStreams {
  private readonly bySession = new Map<string, OpenStream>();
  private readonly byResource = new Map<string, Set<OpenStream>>();
  private readonly keepAliveMs: number;

  constructor(options: McpSessionStreamsOptions = {}) {
    this.keepAliveMs = options.keepAliveMs ?? 25_000;
  }

  /**
   * Answers the GET with `200 text/event-stream` and keeps the response open until the client leaves or the
   * stream is closed here. False (nothing written) when the client is already gone. `onClose` runs once it ends.
   * With `resuming`, live events are held back until `resume` has written what the client missed.
   */
  open(
    res: ServerResponse,
    target: SessionStreamTarget,
    onClose?: () => void,
    resuming = false,
    positions: ReadonlyMap<string, string> = new Map(),
  ): boolean {
    if (res.destroyed || res.writableEnded) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx must pass events on as they come.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const timer = setInterval(() => {
      if (!res.destroyed && !res.writableEnded) res.write(': keep-alive\n\n');
    }, this.keepAliveMs);
    timer.unref();
    const stream: OpenStream = {
      ...target,
      res,
      timer,
      expiry: undefined,
      onClose,
      released: false,
      waiting: resuming ? [] : undefined,
      positions: new Map(positions),
      had: new Map(resuming ? positions : []),
    };
    const previous = this.bySession.get(target.sessionId);
    this.bySession.set(target.sessionId, stream);
    const streams = this.byResource.get(target.resource) ?? new Set<OpenStream>();
    streams.add(stream);
    this.byResource.set(target.resource, streams);
    res.once('close', () => this.release(stream));
    if (target.until !== undefined && Number.isFinite(target.until)) {
      const delay = Math.min(Math.max(0, target.until - Date.now()), 2 ** 31 - 1);
      stream.expiry = setTimeout(() => {
        // Not the end of the session: when to reconnect (MCP 2025-11-25, "SSE polling"), then close.
        if (!res.destroyed && !res.writableEnded) res.write('retry: 1000\n\n');
        this.end(stream);
      }, delay);
      stream.expiry.unref();
    }
    if (previous) this.end(previous);
    return true;
  }

  has(sessionId: string): boolean {
    return this.bySession.has(sessionId);
  }

  get size(): number {
    return this.bySession.size;
  }

  /** Where the session's stream here stands in `log` (what its SSE ids name): its log is read after this. */
  position(sessionId: string, log: string): string | undefined {
    return this.bySession.get(sessionId)?.positions.get(log);
  }

  /** The earliest position in `log` among the streams of the server at `resource` (of `userId`'s sessions, if given) that know theirs. */
  earliestPosition(resource: string, log: string, userId?: string): string | undefined {
    let earliest: string | undefined;
    for (const stream of this.streamsOf(resource, userId)) {
      const position = stream.positions.get(log);
      if (position !== undefined && (earliest === undefined || compareStreamEventIds(position, earliest) < 0))
        earliest = position;
    }
    return earliest;
  }

  /**
   * Writes `event` on the session's stream; false when this process holds none. An event at or before the last one of
   * its log the client has (sent on this stream, or before the Last-Event-ID it resumed from) is not sent again.
   */
  send(sessionId: string, event: StreamEvent): boolean {
    const stream = this.bySession.get(sessionId);
    if (!stream) return false;
    return deliver(stream, event);
  }

  /** The sessions whose streams here belong to the server at `resource`. */
  /** The sessions with a stream here of the server at `resource` (only `userId`'s, if given). */
  sessionsOf(resource: string, userId?: string): string[] {
    return this.streamsOf(resource, userId).map((stream) => stream.sessionId);
  }

  /**
   * Ends the resumption of the stream opened on `res` (`open(…, resuming)`): writes `missed` (what the client had not
   * seen, oldest first), then
   * the live events that arrived meanwhile, except those `missed` already held.
   */
  resume(sessionId: string, res: ServerResponse, missed: readonly StreamEvent[]): void {
    const stream = this.bySession.get(sessionId);
    // Only the stream opened on `res`: a newer one of the session does its own resuming.
    if (stream?.res !== res || !stream.waiting) return;
    const held = stream.waiting;
    stream.waiting = undefined;
    // A held event that `missed` had too is at or before what the client now has: write() skips it.
    for (const event of [...missed, ...held]) write(stream, event);
  }

  /** Ends the session's stream (the session was deleted, or a newer stream elsewhere replaced it). */
  close(sessionId: string): boolean {
    const stream = this.bySession.get(sessionId);
    if (!stream) return false;
    this.end(stream);
    return true;
  }

  /** Ends every stream, e.g. before the process stops (an open stream would hold the HTTP server open). */
  closeAll(): void {
    for (const stream of [...this.bySession.values()]) this.end(stream);
  }

  private streamsOf(resource: string, userId?: string): OpenStream[] {
    const streams = [...(this.byResource.get(resource) ?? [])];
    return userId === undefined ? streams : streams.filter((stream) => stream.userId === userId);
  }

  private end(stream: OpenStream): void {
    stream.res.end();
    this.release(stream);
  }

  /** Forgets a stream once, however it ended (client gone, replaced, closed here). */
  private release(stream: OpenStream): void {
    if (stream.released) return;
    stream.released = true;
    clearInterval(stream.timer);
    clearTimeout(stream.expiry);
    if (this.bySession.get(stream.sessionId) === stream) this.bySession.delete(stream.sessionId);
    const streams = this.byResource.get(stream.resource);
    streams?.delete(stream);
    if (streams?.size === 0) this.byResource.delete(stream.resource);
    stream.onClose?.();
  }
}

function deliver(stream: OpenStream, event: StreamEvent): boolean {
  if (stream.res.destroyed || stream.res.writableEnded) return false;
  if (stream.waiting) {
    stream.waiting.push(event);
    return true;
  }
  return write(stream, event);
}

function write(stream: OpenStream, { message, id }: StreamEvent): boolean {
  if (stream.res.destroyed || stream.res.writableEnded) return false;
  const log = logOfStreamEventId(id);
  const had = log === undefined ? undefined : stream.had.get(log);
  if (had !== undefined && compareStreamEventIds(id!, had) <= 0) return true;
  if (log !== undefined) stream.had.set(log, id!);
  const sseId = id && EVENT_ID.test(id) ? advance(stream.positions, id) : undefined;
  stream.res.write(`${sseId ? `id: ${sseId}\n` : ''}event: message\ndata: ${JSON.stringify(message)}\n\n`);
  return true;
}

/** Moves the log's position to `id` (never back) and returns the positions as an SSE event id. */
function advance(positions: Map<string, string>, id: string): string {
  const log = EVENT_ID.exec(id)![3]!;
  const current = positions.get(log);
  if (current === undefined || compareStreamEventIds(id, current) > 0) positions.set(log, id);
  return [...positions.keys()]
    .sort()
    .map((key) => positions.get(key))
    .join('_');
}
