import { Inject, Injectable } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { MembershipRole } from '@gatehouse/db';
import { serveMcpRequest, sessionFromInitialize, type McpClientSession } from '@gatehouse/mcp';
import type { McpEndpoint } from '@gatehouse/registry';
import { withTimeout } from '@gatehouse/telemetry';
import { withheldFor } from '@gatehouse/tools';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AUDIT } from '../infrastructure/tokens.js';
import { MCP_RELAY } from './mcp.tokens.js';
import type { RedisMessageRelay } from './redis-message.relay.js';
import type { McpPrincipal } from './resource-server.js';
import { McpSessionStore, SESSION_STORE_WAIT_MS } from './mcp-sessions.js';
import { writeRpcError } from './rpc-error.js';
import { ToolExecutor } from '../tools/tool-executor.js';

interface Call {
  method: string;
  tool?: string | undefined;
}

/** The JSON-RPC requests of a POST body by id (notifications and responses are not audited). */
function callsIn(body: unknown): Map<string | number, Call> {
  const calls = new Map<string | number, Call>();
  for (const message of Array.isArray(body) ? body : [body]) {
    const candidate = message as { method?: unknown; id?: unknown; params?: { name?: unknown } };
    if (typeof candidate?.method !== 'string') continue;
    if (typeof candidate.id !== 'string' && typeof candidate.id !== 'number') continue;
    const tool = candidate.method === 'tools/call' ? candidate.params?.name : undefined;
    calls.set(candidate.id, {
      method: candidate.method.slice(0, 100),
      tool: typeof tool === 'string' ? tool.slice(0, 200) : undefined,
    });
  }
  return calls;
}

function outcomeOf(response: JSONRPCMessage): { outcome: 'success' | 'failure'; errorCode?: number | string } {
  if ('error' in response) return { outcome: 'failure', errorCode: response.error.code };
  const result = (response as { result?: { isError?: unknown } }).result;
  return { outcome: result?.isError === true ? 'failure' : 'success' };
}

/** Longest time the response's headers wait for its first event (see sendTogether). */
const HOLD_HEADERS_MS = 50;

/**
 * An MCP answer is the headers, one event and the end of the stream, written in three steps (often within
 * milliseconds): held back briefly, they leave in one packet and one system call, which is most of their cost. The
 * headers wait at most HOLD_HEADERS_MS for the first event; the first event waits only for the end of its event
 * loop turn (so the end, when it follows at once, goes with it); later events are not held.
 */
function sendTogether(res: Response): void {
  res.cork();
  let headersHeld: NodeJS.Timeout | undefined;
  let eventHeld: NodeJS.Immediate | undefined;
  const uncork = () => {
    if (res.writableCorked > 0) res.uncork();
  };
  const flushHeaders = res.flushHeaders.bind(res);
  res.flushHeaders = () => {
    flushHeaders();
    if (!eventHeld) headersHeld ??= setTimeout(uncork, HOLD_HEADERS_MS);
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  res.write = ((...args: unknown[]) => {
    const written = write(...args);
    if (!eventHeld) {
      clearTimeout(headersHeld);
      eventHeld = setImmediate(uncork);
    }
    return written;
  }) as Response['write'];
  // end() sends whatever is held; nothing of this response may touch the connection's next one.
  res.once('close', () => {
    clearTimeout(headersHeld);
    if (eventHeld) clearImmediate(eventHeld);
  });
}

/** The error that stands in for an answer whose record could not be written. */
function withheld(id: string | number) {
  return {
    jsonrpc: '2.0' as const,
    id,
    error: {
      code: -32603,
      message:
        'Gatehouse could not record this request, so its answer is withheld. A tool it called may have run: check ' +
        'before sending it again.',
    },
  };
}

/** One Server-Sent Event carrying a JSON-RPC message, framed as the SDK's transport frames them. */
function sseMessage(message: unknown): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/** The SDK's own checks of a POST carrying `initialize`: both media types accepted, a JSON body, alone. */
function initializeAnswerable(req: Request, body: unknown): boolean {
  const accept = req.headers.accept ?? '';
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    accept.includes('application/json') &&
    accept.includes('text/event-stream') &&
    type === 'application/json' &&
    !(Array.isArray(body) && body.length > 1)
  );
}

/**
 * Runs one MCP POST through a fresh server (packages/mcp), with the client's session from Redis, the relay that
 * lets another instance's tool call receive this client's answers, and one audit record per JSON-RPC request
 * (`mcp.request`, or the tool executor's `tool.call` for a provider tool).
 */
@Injectable()
export class McpRequestHandler {
  constructor(
    @Inject(McpSessionStore) private readonly sessions: McpSessionStore,
    @Inject(MCP_RELAY) private readonly relay: RedisMessageRelay,
    @Inject(AUDIT) private readonly audit: AuditLog,
    @Inject(Logger) private readonly logger: Logger,
    @Inject(ToolExecutor) private readonly tools: ToolExecutor,
  ) {}

  async handle(
    req: Request,
    res: Response,
    context: {
      endpoint: McpEndpoint;
      principal: McpPrincipal;
      /** The person's role in the endpoint's tenant: members do not see the server's admin-only tools. */
      role: MembershipRole;
      session: McpClientSession | undefined;
      sessionId: string | undefined;
    },
  ): Promise<void> {
    const { endpoint, principal } = context;
    let { session, sessionId } = context;
    const body: unknown = req.body;
    const initialize = (Array.isArray(body) ? body : [body]).find(
      (message) => (message as { method?: unknown })?.method === 'initialize',
    ) as { params?: unknown } | undefined;
    // A session is stored only for an initialize the SDK will answer: not one it refuses for its Accept, its
    // Content-Type or company in a batch (that answer would carry a live session id nobody uses for a day).
    if (initialize && initializeAnswerable(req, body)) {
      session = sessionFromInitialize(initialize.params);
      if (session) {
        const id = (initialize as { id?: unknown }).id;
        const requestId = typeof id === 'string' || typeof id === 'number' ? id : null;
        try {
          sessionId = await withTimeout(
            this.sessions.create(
              { userId: principal.userId, clientId: principal.clientId, resource: endpoint.url },
              session,
            ),
            SESSION_STORE_WAIT_MS,
          );
        } catch {
          res.setHeader('retry-after', '5');
          writeRpcError(res, 503, -32000, 'Sessions cannot be stored right now; try again shortly.', requestId);
          return;
        }
        if (!sessionId) {
          writeRpcError(
            res,
            400,
            -32602,
            'Invalid params: the declared capabilities and client info are too large.',
            requestId,
          );
          return;
        }
        res.setHeader('mcp-session-id', sessionId);
      }
    }

    const calls = callsIn(body);
    // A provider tool call writes its own, fuller `tool.call` record: one audit record per request, not two.
    const audited = new Set<string | number>();
    // Requests handed to the tool executor: it records them whatever ends them (a cancellation too).
    const toProvider = new Set<string | number>();
    // Answers stream as Server-Sent Events: ask proxies such as nginx not to buffer them.
    res.setHeader('x-accel-buffering', 'no');
    sendTogether(res);
    await serveMcpRequest(req, res, {
      context: {
        tenantSlug: endpoint.tenantSlug,
        serverSlug: endpoint.server.slug,
        title: endpoint.server.title,
        toolkits: endpoint.server.toolkits,
        tools: endpoint.server.tools,
        withheld: withheldFor(context.role, endpoint.server.adminOnlyTools),
      },
      sessionId,
      session,
      relay: this.relay,
      parsedBody: body,
      // Bounded like the session's read: during a Redis outage the client hears at once that nothing changed.
      onSessionChange: async (change) => {
        if (!sessionId) return;
        try {
          await withTimeout(this.sessions.change(sessionId, change), SESSION_STORE_WAIT_MS);
        } catch (error) {
          this.logger.warn({ err: error, server: endpoint.server.id }, 'MCP session change could not be stored');
          throw new Error('The session could not be changed right now; try again shortly.');
        }
      },
      // Written before the response leaves: a request whose record cannot be written gets no answer.
      onResponse: async (response) => {
        const id = (response as { id?: unknown }).id;
        const call = typeof id === 'string' || typeof id === 'number' ? calls.get(id) : undefined;
        if (!call || audited.has(id as string | number)) return;
        try {
          await this.record(req, context, call, outcomeOf(response));
        } catch (error) {
          // No answer without its record, but not silence either (the stream "SHOULD eventually include a JSON-RPC
          // response"): an error in its place says the answer is withheld, and the stream ends.
          this.logger.error({ err: error, server: endpoint.server.id }, 'MCP request could not be recorded');
          if (!res.writableEnded) {
            if (res.headersSent) res.write(sseMessage(withheld(id as string | number)));
            res.end();
          }
          throw error;
        }
      },
      // A cancelled request gets no response, but it may have done work: it is recorded all the same.
      onCancelled: async (id) => {
        const call = calls.get(id);
        if (call && !toProvider.has(id))
          await this.record(req, context, call, { outcome: 'failure', errorCode: 'cancelled' });
      },
      onToolError: (error, tool) => {
        this.logger.error({ err: error, tool, server: endpoint.server.id }, 'MCP tool failed');
      },
      onProtocolError: (error) => this.logger.warn({ err: error, server: endpoint.server.id }, 'MCP protocol error'),
      runProviderTool: (tool, args, call) => {
        toProvider.add(call.requestId);
        return this.tools.run(
          {
            endpoint,
            userId: principal.userId,
            clientId: principal.clientId,
            sessionId,
            requestId: typeof req.id === 'string' ? req.id : undefined,
            onAudited: () => audited.add(call.requestId),
          },
          tool,
          args,
          call,
        );
      },
    });
  }

  private async record(
    req: Request,
    { endpoint, principal }: { endpoint: McpEndpoint; principal: McpPrincipal },
    call: Call,
    result: { outcome: 'success' | 'failure'; errorCode?: number | string },
  ): Promise<void> {
    await this.audit.record({
      tenantId: endpoint.tenantId,
      actor: { type: 'user', id: principal.userId },
      action: 'mcp.request',
      target: { type: 'mcp_server', id: endpoint.server.id },
      outcome: result.outcome,
      requestId: typeof req.id === 'string' ? req.id : undefined,
      metadata: {
        clientId: principal.clientId.slice(0, 2048),
        method: call.method,
        ...(call.tool ? { tool: call.tool } : {}),
        ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
      },
    });
  }
}
