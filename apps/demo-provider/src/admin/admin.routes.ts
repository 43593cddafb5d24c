import { z } from 'zod';
import { HttpError, readJson, sendEmpty, sendJson } from '../http.js';
import { clientRegistrationSchema } from '../oauth/clients.js';
import { SCOPES } from '../oauth/scopes.js';
import type { RequestContext, Route } from '../provider.js';
import { safeEqual } from '../secrets.js';
import { emptyStats } from '../stats.js';

const failRefreshBody = z.strictObject({
  enabled: z.boolean(),
  /**
   * `invalid_grant` (default): the grant is refused. `blocked`: an edge in front answers 403 with an HTML page.
   * `internal_error`: the provider's own trouble, said as Slack says it (HTTP 200, `ok: false`, `internal_error`).
   */
  as: z.enum(['invalid_grant', 'blocked', 'internal_error']).default('invalid_grant'),
});

const withdrawScopeBody = z.strictObject({ username: z.string().min(1).max(32), scope: z.enum(SCOPES) });

const apiLatencyBody = z.strictObject({ ms: z.number().int().min(0).max(60_000) });

const failApiBody = z.strictObject({
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)]),
  /** How many /api/ requests fail; 0 switches injection off. */
  times: z.number().int().min(0).max(10_000).default(1),
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
});

/** Admin and test hooks: `Authorization: Bearer <DEMO_PROVIDER_ADMIN_TOKEN>`, compared in constant time. */
function requireAdmin(ctx: RequestContext): void {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  if (!match || !safeEqual(match[1]!, ctx.provider.adminToken)) {
    throw new HttpError(401, 'unauthorized', 'admin token required', {
      'www-authenticate': 'Bearer realm="demo-provider-admin"',
    });
  }
}

async function body<S extends z.ZodType>(ctx: RequestContext, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await readJson(ctx.req));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'invalid_request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** Wraps a handler so it runs only for the admin. */
function admin(handle: (ctx: RequestContext) => void | Promise<void>) {
  return (ctx: RequestContext) => {
    requireAdmin(ctx);
    return handle(ctx);
  };
}

export const adminRoutes: Route[] = [
  {
    method: 'POST',
    path: '/admin/api-latency',
    handle: admin(async (ctx) => {
      const { ms } = await body(ctx, apiLatencyBody);
      ctx.provider.switches.apiLatencyMs = ms;
      sendJson(ctx.res, 200, { apiLatencyMs: ms });
    }),
  },
  {
    method: 'POST',
    path: '/admin/clients',
    handle: admin(async (ctx) => {
      const registration = await body(ctx, clientRegistrationSchema);
      const { clientSecret, created } = ctx.provider.clients.register(registration);
      // The secret is returned (it may have been generated) and never logged.
      sendJson(ctx.res, created ? 201 : 200, {
        client_id: registration.client_id,
        client_secret: clientSecret,
        redirect_uris: registration.redirect_uris,
      });
    }),
  },
  {
    method: 'GET',
    path: '/admin/clients',
    handle: admin((ctx) => sendJson(ctx.res, 200, { clients: ctx.provider.clients.list() })),
  },
  {
    method: 'GET',
    path: '/admin/stats',
    handle: admin((ctx) => sendJson(ctx.res, 200, ctx.provider.stats)),
  },
  {
    method: 'POST',
    path: '/admin/reset-stats',
    handle: admin((ctx) => {
      Object.assign(ctx.provider.stats, emptyStats());
      sendEmpty(ctx.res, 204);
    }),
  },
  {
    method: 'POST',
    path: '/admin/fail-refresh',
    handle: admin(async (ctx) => {
      const { enabled, as } = await body(ctx, failRefreshBody);
      ctx.provider.switches.failRefresh = enabled ? as : false;
      sendJson(ctx.res, 200, { failRefresh: enabled, as });
    }),
  },
  {
    method: 'POST',
    path: '/admin/expire-tokens',
    handle: admin((ctx) => sendJson(ctx.res, 200, { expired: ctx.provider.oauth.expireAccessTokens() })),
  },
  {
    method: 'POST',
    path: '/admin/withdraw-scope',
    handle: admin(async (ctx) => {
      const { username, scope } = await body(ctx, withdrawScopeBody);
      const user = ctx.provider.users.signIn(username);
      sendJson(ctx.res, 200, { withdrawn: ctx.provider.oauth.withdrawScope(user.id, scope) });
    }),
  },
  {
    method: 'POST',
    path: '/admin/fail-api',
    handle: admin(async (ctx) => {
      const { status, times, retryAfterSeconds } = await body(ctx, failApiBody);
      ctx.provider.switches.apiFailure = times > 0 ? { status, remaining: times, retryAfterSeconds } : undefined;
      sendJson(ctx.res, 200, { status, remaining: times });
    }),
  },
];
