import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { restoreClientSession, type McpClientSession } from './client-session.js';
import type { McpMessageRelay } from './message.relay.js';
import { createMcpServer, type McpServerContext, type McpServerOptions } from './mcp-server.factory.js';
import { McpRequestTransport, type McpRequestTransportOptions } from './request.transport.js';

export interface ServeMcpRequestOptions extends McpServerOptions {
  readonly context: McpServerContext;
  /** The api's session id: validated from `Mcp-Session-Id`, or just issued for an `initialize`. */
  readonly sessionId: string | undefined;
  /** The stored session; absent only while initializing. */
  readonly session: McpClientSession | undefined;
  readonly relay: McpMessageRelay;
  /** The JSON body when the framework already parsed it. */
  readonly parsedBody?: unknown;
  /** Sees each response before it is sent; see McpRequestTransportOptions.onResponse. */
  readonly onResponse?: McpRequestTransportOptions['onResponse'];
  readonly onCancelled?: McpRequestTransportOptions['onCancelled'];
}

/**
 * Answers one POST to the MCP endpoint: a fresh server and transport (stateless, SSE responses), the client's
 * session restored into it, both closed once the response has closed and no request of it is left open. The caller has authenticated the request,
 * checked its origin, and resolved the session.
 */
export async function serveMcpRequest(
  req: IncomingMessage & { auth?: AuthInfo },
  res: ServerResponse,
  options: ServeMcpRequestOptions,
): Promise<void> {
  const server = createMcpServer(options.context, options);
  if (options.session) restoreClientSession(server, options.session);
  const transport = new McpRequestTransport({
    sessionId: options.sessionId,
    relay: options.relay,
    onResponse: options.onResponse,
    onCancelled: options.onCancelled,
  });
  // On the response's close, not when handleRequest returns: a tool call's SSE stream outlives it. A client that
  // hangs up before its answers does not cancel them (MCP 2025-11-25): the server and transport are closed — which
  // aborts what still runs — only once every request of this POST is answered or explicitly cancelled.
  let closed = false;
  res.on('close', () =>
    transport.detach(() => {
      if (closed) return;
      closed = true;
      void transport.close();
      void server.close();
    }),
  );
  await server.connect(transport);
  await transport.handleRequest(req, res, options.parsedBody);
}
