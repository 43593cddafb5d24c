import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpMessageRelay, RelayKeyOptions } from './message.relay.js';

export interface McpRequestTransportOptions {
  /** The api's session (on initialize: the id it is about to return). Without it nothing can be relayed. */
  readonly sessionId?: string | undefined;
  readonly relay: McpMessageRelay;
  /**
   * Sees every response to the client's requests before it is sent (e.g. to audit the outcome); a rejection stops
   * the response, so nothing reaches the client that could not be recorded.
   */
  readonly onResponse?: ((response: JSONRPCMessage) => Promise<void> | void) | undefined;
  /** A request of this POST was cancelled by the client: it gets no response, but its fate can be recorded. */
  readonly onCancelled?: ((id: RequestId) => Promise<void> | void) | undefined;
}

interface PendingAnswer {
  readonly sdkId: RequestId;
  readonly stop: () => void;
}

/**
 * The SDK's Streamable HTTP transport in stateless mode (one instance per HTTP request, SSE responses), plus the
 * routing a per-request server needs:
 * - requests this server sends the client (sampling, elicitation) get a globally unique wire id, because every
 *   fresh server numbers its requests from 0 and two tool calls of one session may wait at the same time;
 * - answers and cancellations arriving on this POST are handed to the instance that waits for them.
 * It also reports the api's session id as `sessionId`, so handlers see it in `extra.sessionId`.
 */
export class McpRequestTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  readonly sessionId: string | undefined;

  // No session id generator: stateless, so the SDK neither issues nor checks session ids (the api does both).
  private readonly http = new StreamableHTTPServerTransport({ enableJsonResponse: false });
  private readonly relay: McpMessageRelay;
  private readonly pending = new Map<string, PendingAnswer>();
  private readonly registrations: Array<() => void> = [];
  /** Requests received on this POST and not yet answered or cancelled. */
  private readonly open = new Set<RequestId>();
  /** Set once the client has hung up (`detach`): called when no request of this POST is left open. */
  private idle: (() => void) | undefined;

  constructor(private readonly options: McpRequestTransportOptions) {
    this.sessionId = options.sessionId;
    this.relay = options.relay;
    this.http.onmessage = (message, extra) => this.receive(message, extra);
    this.http.onerror = (error) => this.onerror?.(error);
    this.http.onclose = () => {
      this.release();
      this.onclose?.();
    };
  }

  handleRequest(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    return this.http.handleRequest(req, res, parsedBody);
  }

  start(): Promise<void> {
    return this.http.start();
  }

  async close(): Promise<void> {
    await this.http.close();
    this.release();
  }

  /**
   * The client hung up before every request of this POST was answered. MCP (2025-11-25, transports): "Disconnection
   * SHOULD NOT be interpreted as the client cancelling its request" — so the requests still open run on: their
   * answers are recorded as usual (`onResponse`) and dropped, a re-send of the same request finds the first run's
   * answer (the api's idempotency), and only `notifications/cancelled` stops one. `onIdle` runs once none is left
   * open (at once when none is).
   */
  detach(onIdle: () => void): void {
    this.idle = onIdle;
    if (this.open.size === 0) onIdle();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const relatedRequestId = options?.relatedRequestId;
    if (isResponse(message)) {
      if (message.id !== undefined) this.open.delete(message.id);
      try {
        if (this.options.onResponse) await this.options.onResponse(message);
      } catch (error) {
        // Refused (its record could not be written): nothing is sent, but a client gone meanwhile leaves nothing
        // else to wait for.
        if (this.idle && this.open.size === 0) this.idle();
        throw error;
      }
    }
    if (this.idle) {
      // Nobody is listening: a request to the client could never be answered, so it fails at once.
      if (isRequest(message)) throw new Error('The client disconnected; it cannot be asked anything on this request.');
      if (this.open.size === 0) this.idle();
      return;
    }
    return this.http.send(this.toWire(message), relatedRequestId === undefined ? undefined : { relatedRequestId });
  }

  private toWire(message: JSONRPCMessage): JSONRPCMessage {
    const sessionId = this.sessionId;
    if (isRequest(message) && sessionId !== undefined) {
      const wireId = `gh-${randomUUID()}`;
      const stop = this.relay.register(sessionId, answerKey(wireId), (answer) => this.answer(wireId, answer));
      this.pending.set(wireId, { sdkId: message.id, stop });
      return { ...message, id: wireId };
    }
    const cancelled = cancelledRequestId(message);
    if (cancelled !== undefined && isNotification(message)) {
      const wireId = [...this.pending].find(([, pending]) => pending.sdkId === cancelled)?.[0];
      if (wireId !== undefined) return { ...message, params: { ...message.params, requestId: wireId } };
    }
    return message;
  }

  private answer(wireId: string, answer: JSONRPCMessage): void {
    const pending = this.pending.get(wireId);
    if (!pending || !isResponse(answer)) return;
    pending.stop();
    this.pending.delete(wireId);
    this.onmessage?.({ ...answer, id: pending.sdkId });
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    // This instance was created for this POST and has asked the client nothing: every answer is someone else's.
    if (isResponse(message)) {
      this.forward(answerKey(message.id ?? 'null'), message);
      return;
    }
    const cancelled = cancelledRequestId(message);
    if (cancelled !== undefined) {
      this.forward(cancelKey(cancelled), message, { rare: true });
      return;
    }
    if (isRequest(message)) this.open.add(message.id);
    if (isRequest(message) && LISTS.has(message.method) && message.params?.['cursor'] !== undefined) {
      // Every list here is one page, so no cursor was ever given: any cursor is invalid (MCP pagination: -32602).
      this.send(
        { jsonrpc: '2.0', id: message.id, error: { code: -32602, message: 'Invalid params: unknown cursor' } },
        { relatedRequestId: message.id },
      ).catch((error: unknown) => this.onerror?.(error instanceof Error ? error : new Error(String(error))));
      return;
    }
    if (isRequest(message) && this.sessionId !== undefined) {
      // A later POST may cancel this request; it will reach another instance, which forwards it here.
      const id = message.id;
      this.registrations.push(
        // Every request registers for its cancellation, which few are: a rare key (see McpMessageRelay).
        this.relay.register(
          this.sessionId,
          cancelKey(id),
          (notification) => {
            this.onmessage?.(notification);
            this.cancelled(id);
          },
          { rare: true },
        ),
      );
    }
    this.onmessage?.(message, extra);
  }

  /**
   * A cancelled request gets no response (the protocol says so), but the stream of its POST only ends once every
   * request on it was answered: once nothing is left open, end the stream ourselves so the connection, this
   * transport and its server are freed instead of waiting for the client to hang up.
   */
  private cancelled(id: RequestId): void {
    if (!this.open.delete(id)) return;
    Promise.resolve(this.options.onCancelled?.(id)).catch((error: unknown) =>
      this.onerror?.(error instanceof Error ? error : new Error(String(error))),
    );
    if (this.open.size > 0) return;
    // After the SDK has seen the cancellation and aborted the handler.
    const idle = this.idle;
    setImmediate(() => (idle ? idle() : void this.http.close()));
  }

  private forward(key: string, message: JSONRPCMessage, options?: RelayKeyOptions): void {
    if (this.sessionId === undefined) {
      this.onerror?.(new Error(`Cannot route ${key} without a session`));
      return;
    }
    this.relay.deliver(this.sessionId, key, message, options).then(
      (delivered) => {
        if (!delivered) this.onerror?.(new Error(`Nothing in this session waits for ${key}`));
      },
      (error: unknown) => this.onerror?.(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private release(): void {
    for (const pending of this.pending.values()) pending.stop();
    this.pending.clear();
    for (const stop of this.registrations.splice(0)) stop();
  }
}

/** The paginated list methods (MCP, server/utilities/pagination). */
const LISTS = new Set(['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']);

function answerKey(id: RequestId): string {
  return `answer:${JSON.stringify(id)}`;
}

function cancelKey(id: RequestId): string {
  return `cancel:${JSON.stringify(id)}`;
}

function cancelledRequestId(message: JSONRPCMessage): RequestId | undefined {
  if (!isNotification(message) || message.method !== 'notifications/cancelled') return undefined;
  const requestId: unknown = message.params?.['requestId'];
  return typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined;
}

// What kind of JSON-RPC message, by its shape. Every message here was validated already (incoming by the SDK's
// transport, answers relayed from another instance by that instance's, outgoing ones built by the SDK), and the SDK's
// own guards (`isJSONRPCRequest`, …) run a full zod parse of the message each time: with a tool's result in it,
// several per answer were a noticeable part of the api's CPU.

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

function isNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  return 'method' in message && !('id' in message && message.id !== undefined);
}

function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return !('method' in message) && ('result' in message || 'error' in message);
}
