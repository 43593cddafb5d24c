import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Hands a client message to the server instance that is waiting for it.
 *
 * Every HTTP request gets a fresh server, so the POST that carries a client's answer to `sampling/createMessage` or
 * `elicitation/create` (or a `notifications/cancelled` for a running tool call) reaches a different instance than
 * the one whose tool is waiting. The waiting instance registers a key; the receiving one delivers to it.
 * Keys are scoped by session so one client can never answer or cancel another session's requests.
 */
export interface McpMessageRelay {
  /**
   * Waits for messages under `key`; the returned function stops waiting. `rare`: a key that is seldom delivered to
   * (a request's cancellation): a relay across processes may skip announcing it and look it up when it is used.
   */
  register(
    sessionId: string,
    key: string,
    deliver: (message: JSONRPCMessage) => void,
    options?: RelayKeyOptions,
  ): () => void;
  /**
   * Resolves to false when nobody waits for `key` in this session (expired, or held by another process); for a
   * `rare` key held elsewhere, true once the message went out to the other processes.
   */
  deliver(sessionId: string, key: string, message: JSONRPCMessage, options?: RelayKeyOptions): Promise<boolean>;
}

export interface RelayKeyOptions {
  rare?: boolean;
}

/**
 * Relay for one process. Enough when every request of a session reaches the same process (one api instance, or a
 * load balancer pinned on `Mcp-Session-Id`); otherwise wrap it with a pub/sub that forwards misses to the others.
 */
export class InProcessMessageRelay implements McpMessageRelay {
  private readonly waiting = new Map<string, (message: JSONRPCMessage) => void>();

  register(sessionId: string, key: string, deliver: (message: JSONRPCMessage) => void): () => void {
    const slot = slotOf(sessionId, key);
    this.waiting.set(slot, deliver);
    return () => {
      if (this.waiting.get(slot) === deliver) this.waiting.delete(slot);
    };
  }

  async deliver(sessionId: string, key: string, message: JSONRPCMessage): Promise<boolean> {
    const deliver = this.waiting.get(slotOf(sessionId, key));
    if (!deliver) return false;
    deliver(message);
    return true;
  }

  /** Number of open registrations; a leak shows up here. */
  get size(): number {
    return this.waiting.size;
  }
}

function slotOf(sessionId: string, key: string): string {
  return `${sessionId}\u0000${key}`;
}
