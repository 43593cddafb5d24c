import { z } from 'zod';
import { HttpError, readJson, sendEmpty, sendJson } from '../http.js';
import type { Scope } from '../oauth/scopes.js';
import type { RequestContext, Route } from '../provider.js';
import type { Note, User } from './notes.store.js';

const REALM = 'realm="demo-provider"';

const createNoteBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(10_000).default(''),
});

/**
 * The resource-server check (RFC 6750): a failure set up by a test hook, else a live bearer token, else 401; the
 * scope, else 403. Returns the token's user.
 */
function authorize(ctx: RequestContext, scope: Scope | undefined): User {
  const { oauth, stats, switches, users } = ctx.provider;
  stats.apiRequests += 1;
  const failure = switches.apiFailure;
  if (failure && failure.remaining > 0) {
    failure.remaining -= 1;
    stats.apiFailuresInjected += 1;
    const retryAfter =
      failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
    const code = failure.status === 429 ? 'rate_limited' : 'temporarily_unavailable';
    throw new HttpError(failure.status, code, 'failure injected by POST /admin/fail-api', retryAfter);
  }
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  if (!match) {
    stats.apiUnauthorized += 1;
    // No error code when the request carried no credentials (RFC 6750 §3.1).
    throw new HttpError(401, 'invalid_request', 'a bearer token is required', {
      'www-authenticate': `Bearer ${REALM}`,
    });
  }
  const check = oauth.checkAccessToken(match[1]!);
  if (!check.ok) {
    stats.apiUnauthorized += 1;
    throw new HttpError(401, 'invalid_token', check.description, {
      'www-authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${check.description}"`,
    });
  }
  if (scope && !check.scopes.includes(scope)) {
    stats.apiForbidden += 1;
    throw new HttpError(403, 'insufficient_scope', `this request needs the ${scope} scope`, {
      'www-authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"`,
    });
  }
  const user = users.find(check.userId);
  if (!user) throw new Error('token refers to an unknown user');
  return user;
}

function noteNotFound(): HttpError {
  return new HttpError(404, 'not_found', 'no such note');
}

function toNote(note: Note) {
  return { id: note.id, title: note.title, body: note.body, createdAt: note.createdAt };
}

async function createNote(ctx: RequestContext): Promise<void> {
  const user = authorize(ctx, 'notes:write');
  const parsed = createNoteBody.safeParse(await readJson(ctx.req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'invalid_request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const note = ctx.provider.notes.create(user.id, parsed.data);
  ctx.provider.stats.writes += 1;
  sendJson(ctx.res, 201, toNote(note), { location: `/api/notes/${note.id}` });
}

export const apiRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/me',
    handle: (ctx) => {
      const user = authorize(ctx, undefined);
      sendJson(ctx.res, 200, { id: user.id, username: user.username });
    },
  },
  {
    method: 'GET',
    path: '/api/notes',
    handle: (ctx) => {
      const user = authorize(ctx, 'notes:read');
      const notes = ctx.provider.notes.list(user.id).map(toNote);
      ctx.provider.stats.reads += 1;
      sendJson(ctx.res, 200, { notes });
    },
  },
  { method: 'POST', path: '/api/notes', handle: createNote },
  {
    method: 'GET',
    path: '/api/notes/:id',
    handle: (ctx) => {
      const user = authorize(ctx, 'notes:read');
      const note = ctx.provider.notes.get(user.id, ctx.params.id!);
      if (!note) throw noteNotFound();
      ctx.provider.stats.reads += 1;
      sendJson(ctx.res, 200, toNote(note));
    },
  },
  {
    method: 'DELETE',
    path: '/api/notes/:id',
    handle: (ctx) => {
      const user = authorize(ctx, 'notes:write');
      if (!ctx.provider.notes.delete(user.id, ctx.params.id!)) throw noteNotFound();
      ctx.provider.stats.writes += 1;
      sendEmpty(ctx.res, 204);
    },
  },
];
