import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@gatehouse/telemetry';
import { adminRoutes } from './admin/admin.routes.js';
import { apiRoutes } from './api/api.routes.js';
import type { DemoProviderConfig } from './config.js';
import { HttpError, sendJson } from './http.js';
import { authorizeRoutes } from './oauth/authorize.routes.js';
import { SCOPES } from './oauth/scopes.js';
import { tokenRoutes } from './oauth/token.routes.js';
import { createProviderState, type ProviderState, type RequestContext, type Route } from './provider.js';

const SWEEP_INTERVAL_MS = 60_000;

export interface RunningDemoProvider {
  /** The public URL (issuer); equals `http://<host>:<port>` unless DEMO_PROVIDER_PUBLIC_URL says otherwise. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const started = Date.now();

const infoRoutes: Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    handle: (ctx) =>
      sendJson(ctx.res, 200, {
        status: 'ok',
        service: 'demo-provider',
        uptimeSeconds: Math.floor((Date.now() - started) / 1000),
      }),
  },
  {
    // RFC 8414, so clients that discover endpoints can; the catalog entry may also list them directly.
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    handle: (ctx) => {
      const base = ctx.provider.publicUrl;
      sendJson(ctx.res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/oauth/authorize`,
        token_endpoint: `${base}/oauth/token`,
        revocation_endpoint: `${base}/oauth/revoke`,
        scopes_supported: SCOPES,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    },
  },
];

const routes = [...infoRoutes, ...authorizeRoutes, ...tokenRoutes, ...apiRoutes, ...adminRoutes];

function match(path: string, pattern: string): Record<string, string> | undefined {
  const actual = path.split('/');
  const expected = pattern.split('/');
  if (actual.length !== expected.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of expected.entries()) {
    const value = actual[i]!;
    if (segment.startsWith(':')) {
      if (value === '') return undefined;
      params[segment.slice(1)] = value;
    } else if (segment !== value) return undefined;
  }
  return params;
}

async function dispatch(req: IncomingMessage, res: ServerResponse, provider: ProviderState, logger: Logger) {
  const url = new URL(req.url ?? '/', 'http://demo-provider.invalid');
  if (req.headers.traceparent !== undefined || req.headers.tracestate !== undefined)
    provider.stats.traceContextsReceived += 1;
  try {
    const candidates = routes.flatMap((route) => {
      const params = match(url.pathname, route.path);
      return params ? [{ route, params }] : [];
    });
    if (candidates.length === 0) throw new HttpError(404, 'not_found', 'no such endpoint');
    const found = candidates.find(({ route }) => route.method === req.method);
    if (!found) {
      const allow = candidates.map(({ route }) => route.method).join(', ');
      throw new HttpError(405, 'method_not_allowed', `use ${allow}`, { allow });
    }
    const ctx: RequestContext = { req, res, url, params: found.params, provider };
    const latency = url.pathname.startsWith('/api/') ? provider.switches.apiLatencyMs : 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    await found.route.handle(ctx);
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      sendJson(res, error.status, { error: error.code, error_description: error.description }, error.headers);
      return;
    }
    // Log the error, not the request: bodies and headers carry codes, secrets and tokens.
    logger.error({ err: error, method: req.method, path: url.pathname }, 'request failed');
    sendJson(res, 500, { error: 'server_error', error_description: 'internal error' });
  }
}

function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Starts the provider on DEMO_PROVIDER_HOST:DEMO_PROVIDER_PORT (0 picks a free port). */
export async function startDemoProvider(config: DemoProviderConfig, logger: Logger): Promise<RunningDemoProvider> {
  // The public URL may depend on the port the OS picks; it is filled in before the first request can arrive.
  const provider = createProviderState(config, config.DEMO_PROVIDER_PUBLIC_URL ?? '');
  const server = createServer((req, res) => {
    const began = performance.now();
    // Only method, path and status: query strings and headers carry codes, states and tokens.
    const path = (req.url ?? '/').split('?')[0];
    res.on('finish', () =>
      logger.info(
        { method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - began) },
        'request',
      ),
    );
    void dispatch(req, res, provider, logger);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.DEMO_PROVIDER_PORT, config.DEMO_PROVIDER_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = config.DEMO_PROVIDER_PUBLIC_URL ?? defaultPublicUrl(config.DEMO_PROVIDER_HOST, port);
  provider.publicUrl = url;
  const sweeper = setInterval(() => provider.oauth.sweep(), SWEEP_INTERVAL_MS);
  sweeper.unref();
  logger.info({ url, port, clients: config.DEMO_PROVIDER_CLIENTS.length }, 'demo provider listening');

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(sweeper);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
