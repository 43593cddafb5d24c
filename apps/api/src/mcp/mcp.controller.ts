import { All, Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { acceptsEventStream, checkOrigin, type McpClientSession, type OriginPolicy } from '@gatehouse/mcp';
import { withTimeout } from '@gatehouse/telemetry';
import { McpEndpointDirectory, resourceMetadataUrl, type McpEndpoint } from '@gatehouse/registry';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import { API_CONFIG } from '../infrastructure/tokens.js';
import { issuerOf, MCP_SCOPE } from '../oauth/authorization-server.js';
import { McpResourceServer } from './resource-server.js';
import { McpSessionStore, SESSION_STORE_WAIT_MS } from './mcp-sessions.js';
import { MCP_ROUTE } from './mcp-request-log.js';
import { writeRpcError } from './rpc-error.js';
import { McpRequestHandler } from './mcp-request.handler.js';
import { RedisNotificationHub } from './redis-notification.hub.js';

/**
 * `/t/{tenant}/mcp/{server}`: the hosted MCP endpoint (Streamable HTTP), and its RFC 9728 protected-resource
 * metadata at the path-inserted well-known URL. Checks run in order: Origin → server exists → bearer token for
 * exactly this server → still a member of the tenant → session (if any) → a fresh MCP server for this request
 * (POST), or the session's stream of server-initiated notifications (GET).
 */
const FIRST_VERSION_WITHOUT_BATCHES = '2025-06-18';
/** Clients of this version on reconnect to a stream the server closed (after its `retry` field). */
const FIRST_VERSION_WITH_SSE_POLLING = '2025-11-25';

@Controller()
export class McpController {
  private readonly policy: OriginPolicy;
  private readonly issuer: string;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(McpEndpointDirectory) private readonly endpoints: McpEndpointDirectory,
    @Inject(McpResourceServer) private readonly resourceServer: McpResourceServer,
    @Inject(McpSessionStore) private readonly sessions: McpSessionStore,
    @Inject(McpRequestHandler) private readonly handler: McpRequestHandler,
    @Inject(RedisNotificationHub) private readonly notifications: RedisNotificationHub,
  ) {
    this.policy = {
      allowedHosts: [new URL(config.PUBLIC_API_URL).host, ...config.MCP_ALLOWED_HOSTS],
      allowedOrigins: [
        new URL(config.PUBLIC_API_URL).origin,
        new URL(config.PUBLIC_WEB_URL).origin,
        ...config.MCP_ALLOWED_ORIGINS,
      ],
    };
    this.issuer = issuerOf(config);
  }

  private metadataUrl(endpoint: McpEndpoint): string {
    return resourceMetadataUrl(this.config.PUBLIC_API_URL, endpoint.tenantSlug, endpoint.server.slug);
  }

  @Get('.well-known/oauth-protected-resource/t/:tenant/mcp/:server')
  async metadata(@Param('tenant') tenant: string, @Param('server') server: string, @Res() res: Response) {
    const endpoint = await this.endpoints.find(tenant, server);
    res.set({ 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=300' });
    if (!endpoint) {
      res.status(404).json({ error: 'not_found', error_description: 'No such MCP server.' });
      return;
    }
    res.json({
      resource: endpoint.url,
      authorization_servers: [this.issuer],
      scopes_supported: [MCP_SCOPE],
      bearer_methods_supported: ['header'],
      resource_name: endpoint.server.title,
    });
  }

  @All(MCP_ROUTE)
  async handle(
    @Param('tenant') tenant: string,
    @Param('server') server: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // DNS-rebinding protection first: a foreign Host or Origin never reaches anything else.
    const refusal = checkOrigin(this.policy, { host: req.headers.host, origin: req.headers.origin });
    if (refusal) return writeRpcError(res, 403, -32000, `Forbidden: ${refusal}.`);
    const endpoint = await this.endpoints.find(tenant, server);
    if (!endpoint) return writeRpcError(res, 404, -32001, 'No such MCP server.');

    const sessionId = req.headers['mcp-session-id'];
    // Token (PostgreSQL) and session (Redis) are independent reads: one wait for both. The session is only handed
    // to the token's owner below.
    const stored = typeof sessionId === 'string' ? this.sessions.read(sessionId) : undefined;
    stored?.catch(() => undefined);
    const auth = await this.resourceServer.authenticate(
      req.headers.authorization,
      endpoint,
      this.metadataUrl(endpoint),
    );
    if (!auth.ok) {
      res.set('www-authenticate', auth.challenge);
      return writeRpcError(res, auth.status, -32001, auth.message);
    }
    const principal = auth.principal;
    if (Array.isArray(sessionId)) return writeRpcError(res, 400, -32600, 'Send one Mcp-Session-Id header.');
    const owner = { userId: principal.userId, clientId: principal.clientId, resource: endpoint.url };
    const role = auth.role;
    if (!role) {
      // The token is valid; its user may not use this organisation (RFC 6750 §3.1, MCP authorization: 403). A 401
      // would send the client to sign in again, only to be told the same, over and over.
      return writeRpcError(res, 403, -32001, "The token's user is not a member of this organisation.");
    }
    let session: McpClientSession | undefined;
    try {
      // Bounded: while Redis is down its reads wait for it, and the client is better told at once.
      session = stored && (await withTimeout(stored, SESSION_STORE_WAIT_MS))?.(owner);
    } catch {
      res.set('retry-after', '5');
      return writeRpcError(res, 503, -32000, 'Sessions cannot be read right now; try again shortly.');
    }
    if (sessionId !== undefined && !session) return writeRpcError(res, 404, -32001, 'Session not found.');

    if (req.method === 'DELETE') {
      if (sessionId === undefined) return writeRpcError(res, 400, -32600, 'Mcp-Session-Id header required.');
      const version = req.headers['mcp-protocol-version'];
      if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
        return writeRpcError(res, 400, -32000, `Bad Request: unsupported protocol version ${version.slice(0, 40)}.`);
      const deletion = this.sessions.delete(sessionId);
      try {
        await withTimeout(deletion, SESSION_STORE_WAIT_MS);
      } catch {
        // A deletion that goes through later still ends the session's stream (a retry would find no session).
        deletion.then(() => this.notifications.endSession(sessionId)).catch(() => undefined);
        res.set('retry-after', '5');
        return writeRpcError(res, 503, -32000, 'The session cannot be deleted right now; try again shortly.');
      }
      await this.notifications.endSession(sessionId);
      res.status(204).end();
      return;
    }
    if (req.method === 'GET') {
      // The standalone SSE stream: server-initiated notifications of this session (McpNotificationsModule). It
      // belongs to a session; without one, 405 says "no stream here", which clients take in their stride.
      if (sessionId === undefined) {
        res.set('allow', 'GET, POST, DELETE');
        return writeRpcError(res, 405, -32000, 'Method not allowed without a session.');
      }
      if (!acceptsEventStream(req.headers.accept))
        return writeRpcError(res, 406, -32000, 'Not Acceptable: the client must accept text/event-stream.');
      const header = req.headers['mcp-protocol-version'];
      if (typeof header === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(header))
        return writeRpcError(res, 400, -32000, `Bad Request: unsupported protocol version ${header.slice(0, 40)}.`);
      const version = protocolVersionOf(header, session);
      // A client reconnecting after a dropped stream names the last event it saw: it gets what it missed first.
      const lastEventId = req.headers['last-event-id'];
      return this.notifications.open(
        res,
        // Ends when the token does, so access revoked meanwhile does not keep a stream open — for clients of protocol
        // versions whose clients reconnect to a stream the server closed (2025-11-25: SSE polling); an older client
        // might never come back, and would miss every notification after.
        {
          sessionId,
          resource: endpoint.url,
          userId: principal.userId,
          until: version !== undefined && version >= FIRST_VERSION_WITH_SSE_POLLING ? principal.expiresAt : undefined,
        },
        typeof lastEventId === 'string' ? lastEventId : undefined,
      );
    }
    if (req.method !== 'POST') {
      res.set('allow', 'GET, POST, DELETE');
      return writeRpcError(res, 405, -32000, 'Method not allowed.');
    }
    // JSON-RPC batches left the protocol in 2025-06-18: a client speaking that or later sends one message per request.
    const version = protocolVersionOf(req.headers['mcp-protocol-version'], session);
    if (Array.isArray(req.body) && version !== undefined && version >= FIRST_VERSION_WITHOUT_BATCHES)
      return writeRpcError(
        res,
        400,
        -32600,
        `Invalid Request: protocol version ${version.slice(0, 40)} has no JSON-RPC batches; send one message per request.`,
      );
    await this.handler.handle(req, res, { endpoint, principal, role, session, sessionId });
  }
}

/**
 * The protocol version a request speaks: its `MCP-Protocol-Version` header, else the one its session negotiated at
 * initialization (MCP: assume 2025-03-26 only with "no other way to identify the version"), else unknown.
 */
function protocolVersionOf(
  header: string | string[] | undefined,
  session: McpClientSession | undefined,
): string | undefined {
  if (typeof header === 'string') return header;
  return session?.protocolVersion;
}
