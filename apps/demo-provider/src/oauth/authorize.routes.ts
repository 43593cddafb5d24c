import { UserDirectory } from '../api/notes.store.js';
import { HttpError, readCookie, readForm, redirect, sendHtml } from '../http.js';
import type { RequestContext, Route } from '../provider.js';
import { safeEqual } from '../secrets.js';
import { approvalPage, errorPage } from './approval.page.js';
import type { PendingAuthorization } from './oauth.store.js';
import { parseScopeParameter, SCOPES } from './scopes.js';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** The redirect back to the client, with its own query kept (RFC 6749 §3.1.2) and `state` echoed. */
function callback(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

function csrfCookieName(pending: PendingAuthorization): string {
  return `dp_csrf_${pending.id}`;
}

function csrfCookie(ctx: RequestContext, pending: PendingAuthorization, maxAge: number): string {
  const secure = ctx.provider.publicUrl.startsWith('https:') ? '; Secure' : '';
  const value = maxAge > 0 ? pending.csrf : '';
  return `${csrfCookieName(pending)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Chrome applies form-action to every redirect that follows a form post, so the client's origin must be allowed —
 * and, for a client on loopback (development, tests), the other local ports it may forward the browser to next
 * (Gatehouse's callback sends the person back to its console, a different port on the same machine).
 */
function formAction(redirectUri: string): string {
  const redirect = new URL(redirectUri);
  const local = LOOPBACK.has(redirect.hostname) ? ' http://127.0.0.1:* http://localhost:* http://[::1]:*' : '';
  return `form-action 'self' ${redirect.origin}${local}`;
}

function approvalHeaders(ctx: RequestContext, pending: PendingAuthorization) {
  return {
    'set-cookie': csrfCookie(ctx, pending, 600),
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; ${formAction(pending.redirectUri)}`,
  };
}

/**
 * GET /oauth/authorize. A bad client_id or redirect_uri is shown to the person (never redirected: the redirect
 * target is not trusted yet); every other problem goes back to the client as `error=…` (RFC 6749 §4.1.2.1).
 */
function showApproval(ctx: RequestContext): void {
  const query = ctx.url.searchParams;
  const repeated = [...new Set(query.keys())].find((name) => query.getAll(name).length > 1);
  const client = ctx.provider.clients.find(query.get('client_id') ?? '');
  if (!client || repeated === 'client_id') {
    return sendHtml(ctx.res, 400, errorPage('Unknown client', 'client_id is missing or not registered here.'));
  }
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!client.redirectUris.includes(redirectUri) || repeated === 'redirect_uri') {
    return sendHtml(
      ctx.res,
      400,
      errorPage('Redirect URI mismatch', 'redirect_uri must exactly match one registered for this client.'),
    );
  }
  const state = query.get('state') ?? undefined;
  const fail = (error: string, description: string) =>
    redirect(ctx.res, callback(redirectUri, { error, error_description: description, state }));
  if (repeated) return fail('invalid_request', `parameter "${repeated}" is repeated`);
  if (query.get('response_type') !== 'code') {
    return fail('unsupported_response_type', 'only response_type=code is supported');
  }
  const challenge = query.get('code_challenge');
  if (!challenge) return fail('invalid_request', 'code_challenge is required (PKCE)');
  if (query.get('code_challenge_method') !== 'S256') {
    return fail('invalid_request', 'code_challenge_method must be S256');
  }
  if (!CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge must be 43 base64url characters');
  const scopes = parseScopeParameter(query.get('scope') ?? undefined);
  if (!scopes) return fail('invalid_scope', `scope must name one or more of: ${SCOPES.join(' ')}`);

  const pending = ctx.provider.oauth.startAuthorization({
    clientId: client.clientId,
    redirectUri,
    scopes,
    state,
    codeChallenge: challenge,
  });
  sendHtml(ctx.res, 200, approvalPage(pending, { username: 'alice' }), approvalHeaders(ctx, pending));
}

/** POST /oauth/authorize: the approval form. Single use: the pending request is consumed by the answer. */
async function decide(ctx: RequestContext): Promise<void> {
  let form: URLSearchParams;
  try {
    form = await readForm(ctx.req);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return sendHtml(ctx.res, error.status, errorPage('Bad request', error.description));
  }
  const { oauth, stats, users } = ctx.provider;
  const pending = oauth.findAuthorization(form.get('interaction') ?? '');
  if (!pending) {
    return sendHtml(
      ctx.res,
      400,
      errorPage('Request expired', 'This authorization request is unknown or expired. Start again from the app.'),
    );
  }
  // Double check: the token in the form and the cookie set with the page must both match this request.
  const csrfOk =
    safeEqual(form.get('csrf') ?? '', pending.csrf) &&
    safeEqual(readCookie(ctx.req, csrfCookieName(pending)) ?? '', pending.csrf);
  if (!csrfOk) {
    return sendHtml(ctx.res, 403, errorPage('Request rejected', 'The form did not come from this approval page.'));
  }

  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'deny') {
    return sendHtml(ctx.res, 400, errorPage('Bad request', 'decision must be approve or deny.'));
  }
  const clear = { 'set-cookie': csrfCookie(ctx, pending, 0) };
  const granted = pending.scopes.filter((scope) => form.getAll('scope').includes(scope));
  if (decision === 'deny' || granted.length === 0) {
    oauth.finishAuthorization(pending.id);
    stats.authorizationsDenied += 1;
    const description = decision === 'deny' ? 'the user denied the request' : 'the user granted no scope';
    const location = callback(pending.redirectUri, {
      error: 'access_denied',
      error_description: description,
      state: pending.state,
    });
    return redirect(ctx.res, location, clear);
  }

  const username = UserDirectory.normalise(form.get('username') ?? '');
  if (!username) {
    const error = 'A user name is 1–32 letters, digits, dots, dashes or underscores.';
    const html = approvalPage(pending, { username: form.get('username') ?? '', error });
    return sendHtml(ctx.res, 400, html, approvalHeaders(ctx, pending));
  }
  oauth.finishAuthorization(pending.id);
  const user = users.signIn(username);
  const code = oauth.issueCode(pending, user.id, granted);
  stats.authorizationsApproved += 1;
  redirect(ctx.res, callback(pending.redirectUri, { code, state: pending.state }), clear);
}

export const authorizeRoutes: Route[] = [
  { method: 'GET', path: '/oauth/authorize', handle: showApproval },
  { method: 'POST', path: '/oauth/authorize', handle: decide },
];
