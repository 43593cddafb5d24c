import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ClientCapabilitiesSchema,
  ImplementationSchema,
  InitializeRequestParamsSchema,
  LATEST_PROTOCOL_VERSION,
  LoggingLevelSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ClientCapabilities,
  type Implementation,
  type LoggingLevel,
} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';

/** A session may watch this many resources; keeps a client from growing its stored session without bound. */
export const MAX_SUBSCRIPTIONS = 64;

/**
 * What the api keeps per `Mcp-Session-Id` (JSON, e.g. in Redis) and hands back on every later request: everything
 * a fresh server must know that the client said or set earlier in the session.
 */
export const McpClientSessionSchema = z.object({
  protocolVersion: z.string(),
  clientInfo: ImplementationSchema,
  capabilities: ClientCapabilitiesSchema,
  loggingLevel: LoggingLevelSchema.optional(),
  subscriptions: z.array(z.string()).max(MAX_SUBSCRIPTIONS),
});

export interface McpClientSession {
  readonly protocolVersion: string;
  readonly clientInfo: Implementation;
  readonly capabilities: ClientCapabilities;
  readonly loggingLevel?: LoggingLevel | undefined;
  readonly subscriptions: readonly string[];
}

/** A change a request made to its session; the api stores it before the client sees the response. */
export type McpSessionChange =
  | { readonly type: 'logging_level'; readonly level: LoggingLevel }
  | { readonly type: 'subscribed'; readonly uri: string }
  | { readonly type: 'unsubscribed'; readonly uri: string };

/**
 * The session an `initialize` request opens, or undefined when its params are invalid (the server then answers the
 * error and no session should be issued). Capabilities are parsed with the SDK's schema so they read exactly as the
 * SDK's own checks expect (e.g. `elicitation: {}` means form elicitation).
 */
export function sessionFromInitialize(params: unknown): McpClientSession | undefined {
  const parsed = InitializeRequestParamsSchema.safeParse(params);
  if (!parsed.success) return undefined;
  const requested = parsed.data.protocolVersion;
  return {
    // Same negotiation as the SDK's Server: echo a supported version, else offer the latest.
    protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION,
    clientInfo: parsed.data.clientInfo,
    capabilities: parsed.data.capabilities,
    subscriptions: [],
  };
}

/** Reads a stored session; undefined when it is not one (corrupt, or written by an incompatible version). */
export function parseClientSession(stored: unknown): McpClientSession | undefined {
  const parsed = McpClientSessionSchema.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

/** Session state a change applies to: a stored session, or a server's own copy. */
interface ChangeableSession {
  readonly loggingLevel?: LoggingLevel | undefined;
  readonly subscriptions: readonly string[];
}

/** The session after `change`; pure, so the api can apply it inside whatever atomic update its store offers. */
export function applySessionChange<S extends ChangeableSession>(session: S, change: McpSessionChange): S {
  switch (change.type) {
    case 'logging_level':
      return { ...session, loggingLevel: change.level };
    case 'subscribed':
      return session.subscriptions.includes(change.uri)
        ? session
        : { ...session, subscriptions: [...session.subscriptions, change.uri] };
    case 'unsubscribed':
      return { ...session, subscriptions: session.subscriptions.filter((uri) => uri !== change.uri) };
  }
}

/**
 * What `restoreClientSession` needs: an `McpClientSession`, or any stored record with these fields. Capabilities are
 * parsed here again, so a record that kept them as the client sent them still reads the way the SDK expects.
 */
export interface RestorableSession {
  readonly capabilities: unknown;
  readonly clientInfo?: Implementation | undefined;
  readonly loggingLevel?: LoggingLevel | undefined;
  readonly subscriptions?: readonly string[] | undefined;
}

/** Per-instance session state the handlers read and change; one per McpServer. */
export interface ServerSessionState {
  loggingLevel: LoggingLevel | undefined;
  subscriptions: readonly string[];
}

const states = new WeakMap<McpServer, ServerSessionState>();

export function sessionStateOf(server: McpServer): ServerSessionState {
  let state = states.get(server);
  if (!state) {
    state = { loggingLevel: undefined, subscriptions: [] };
    states.set(server, state);
  }
  return state;
}

/**
 * Makes a fresh server behave as if it had seen this session's `initialize`: the SDK's own checks
 * (`elicitInput`, `createMessage`, `listRoots`) then see the client's capabilities, and the tools see its log level
 * and subscriptions. Call before `connect`. Capabilities that do not parse count as none: the client then gets
 * "not supported" answers rather than requests it may not understand.
 */
export function restoreClientSession(server: McpServer, session: RestorableSession): void {
  const capabilities = ClientCapabilitiesSchema.safeParse(session.capabilities);
  // SDK 1.32 has no setter: `Server._oninitialize` writes these two private fields and the capability checks read
  // them. `getClientCapabilities()`/`getClientVersion()` read them back, which the unit test pins.
  const internals = server.server as unknown as {
    _clientCapabilities?: ClientCapabilities;
    _clientVersion?: Implementation | undefined;
  };
  internals._clientCapabilities = capabilities.success ? capabilities.data : {};
  internals._clientVersion = session.clientInfo;
  const state = sessionStateOf(server);
  state.loggingLevel = session.loggingLevel;
  state.subscriptions = session.subscriptions ?? [];
}
