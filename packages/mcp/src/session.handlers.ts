import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  McpError,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { applySessionChange, MAX_SUBSCRIPTIONS, sessionStateOf, type McpSessionChange } from './client-session.js';

export type SessionChangeListener = (change: McpSessionChange) => Promise<void> | void;

export interface SessionHandlerOptions {
  readonly onSessionChange?: SessionChangeListener | undefined;
  /** Present when the server exposes resources: which URIs a client may subscribe to. */
  readonly isKnownResource?: ((uri: string) => boolean) | undefined;
}

/**
 * `logging/setLevel`, `resources/subscribe` and `resources/unsubscribe` only change session state. The next request
 * runs on another instance, so each change goes to the api's store, awaited before the client gets `{}`: once it
 * has the answer, its next request sees the change.
 */
export function registerSessionHandlers(server: McpServer, options: SessionHandlerOptions): void {
  const state = sessionStateOf(server);
  const change = async (update: McpSessionChange) => {
    Object.assign(state, applySessionChange(state, update));
    await options.onSessionChange?.(update);
  };

  // Replaces the SDK's own handler, which keeps the level in the instance and so would forget it after this request.
  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    await change({ type: 'logging_level', level: request.params.level });
    return {};
  });

  const isKnownResource = options.isKnownResource;
  if (!isKnownResource) return;
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    if (!isKnownResource(uri)) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: ${uri}`);
    if (state.subscriptions.includes(uri)) return {};
    if (state.subscriptions.length >= MAX_SUBSCRIPTIONS) {
      throw new McpError(ErrorCode.InvalidRequest, `A session may watch at most ${MAX_SUBSCRIPTIONS} resources`);
    }
    await change({ type: 'subscribed', uri });
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    await change({ type: 'unsubscribed', uri: request.params.uri });
    return {};
  });
}
