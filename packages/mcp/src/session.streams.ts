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
}

export interface McpSessionStreamsOptions {
  /** A comment line this often keeps proxies and load balancers from timing an idle stream out. */
  readonly keepAliveMs?: number;
}

interface OpenStream extends SessionStreamTarget {
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
  readonly onClose: (() => void) | undefined;
  released: boolean;
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
   */
  open(res: ServerResponse, target: SessionStreamTarget, onClose?: () => void): boolean {
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
    const stream: OpenStream = { ...target, res, timer, onClose, released: false };
    const previous = this.bySession.get(target.sessionId);
    this.bySession.set(target.sessionId, stream);
    const streams = this.byResource.get(target.resource) ?? new Set<OpenStream>();
    streams.add(stream);
    this.byResource.set(target.resource, streams);
    res.once('close', () => this.release(stream));
    if (previous) this.end(previous);
    return true;
  }

  has(sessionId: string): boolean {
    return this.bySession.has(sessionId);
  }

  get size(): number {
    return this.bySession.size;
  }

  /** Writes `message` on the session's stream; false when this process holds none. */
  send(sessionId: string, message: JSONRPCNotification): boolean {
    const stream = this.bySession.get(sessionId);
    if (!stream) return false;
    return write(stream, message);
  }

  /** Writes `message` on the stream of every session of the server at `resource`; returns how many. */
  sendToResource(resource: string, message: JSONRPCNotification): number {
    let sent = 0;
    for (const stream of this.streamsOf(resource)) if (write(stream, message)) sent++;
    return sent;
  }

  /** Ends the session's stream (the session was deleted, or a newer stream elsewhere replaced it). */
  close(sessionId: string): boolean {
    const stream = this.bySession.get(sessionId);
    if (!stream) return false;
    this.end(stream);
    return true;
  }

  /** Ends every stream of the server at `resource` (it was deleted). */
  closeResource(resource: string): number {
    const streams = this.streamsOf(resource);
    for (const stream of streams) this.end(stream);
    return streams.length;
  }

  /** Ends every stream, e.g. before the process stops (an open stream would hold the HTTP server open). */
  closeAll(): void {
    for (const stream of [...this.bySession.values()]) this.end(stream);
  }

  private streamsOf(resource: string): OpenStream[] {
    return [...(this.byResource.get(resource) ?? [])];
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
    if (this.bySession.get(stream.sessionId) === stream) this.bySession.delete(stream.sessionId);
    const streams = this.byResource.get(stream.resource);
    streams?.delete(stream);
    if (streams?.size === 0) this.byResource.delete(stream.resource);
    stream.onClose?.();
  }
}

function write(stream: OpenStream, message: JSONRPCNotification): boolean {
  if (stream.res.destroyed || stream.res.writableEnded) return false;
  stream.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  return true;
}
