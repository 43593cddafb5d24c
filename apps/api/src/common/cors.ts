import type { CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import type { ApiConfig } from '@gatehouse/config';
import type { Request } from 'express';

const MCP_PATH = /^\/(t\/[^/]+\/mcp\/[^/]+|\.well-known\/oauth-protected-resource\/.*)$/;

/**
 * Two audiences, two CORS policies. The console (PUBLIC_WEB_URL) calls the admin API with its session cookie.
 * Browser-based MCP clients (MCP_ALLOWED_ORIGINS) call MCP endpoints with a bearer token and no cookies, and must
 * read `Mcp-Session-Id` and `WWW-Authenticate`.
 */
export function corsFor(config: ApiConfig): CorsOptionsDelegate<Request> {
  const mcpOrigins = [new URL(config.PUBLIC_WEB_URL).origin, ...config.MCP_ALLOWED_ORIGINS];
  return (req, callback) => {
    if (MCP_PATH.test(req.path)) {
      callback(null, {
        origin: mcpOrigins,
        credentials: false,
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'],
        exposedHeaders: ['mcp-session-id', 'www-authenticate'],
        maxAge: 600,
      });
      return;
    }
    callback(null, { origin: [config.PUBLIC_WEB_URL], credentials: true });
  };
}
