import type { IncomingMessage } from 'node:http';
import { HttpError, readForm, sendEmpty, sendJson, single } from '../http.js';
import type { ProviderState, RequestContext, Route } from '../provider.js';
import type { GrantOutcome } from './oauth.store.js';
import { parseScopeParameter } from './scopes.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** RFC 6749 §2.3.1: the Basic credentials are form-encoded before base64. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new HttpError(401, 'invalid_client', 'malformed client credentials');
  }
}

/**
 * client_secret_basic or client_secret_post, exactly one of them. Returns the authenticated client id.
 * A failure after Basic answers with a Basic challenge (RFC 6749 §5.2).
 */
function authenticateClient(req: IncomingMessage, form: URLSearchParams, provider: ProviderState): string {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/]+=*)$/i.exec(header);
  const postedSecret = single(form, 'client_secret');
  let clientId: string;
  let secret: string;
  if (basic) {
    if (postedSecret !== undefined) {
      throw new HttpError(400, 'invalid_request', 'use one client authentication method, not two');
    }
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new HttpError(401, 'invalid_client', 'malformed client credentials', challenge());
    clientId = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
    const postedId = single(form, 'client_id');
    if (postedId !== undefined && postedId !== clientId) {
      throw new HttpError(400, 'invalid_request', 'client_id differs from the authenticated client');
    }
  } else if (header === '' && postedSecret !== undefined && single(form, 'client_id') !== undefined) {
    clientId = single(form, 'client_id')!;
    secret = postedSecret;
  } else {
    throw new HttpError(401, 'invalid_client', 'client authentication required', challenge());
  }
  if (!provider.clients.authenticate(clientId, secret)) {
    throw new HttpError(401, 'invalid_client', 'client authentication failed', basic ? challenge() : {});
  }
  return clientId;
}

function challenge() {
  return { 'www-authenticate': 'Basic realm="demo-provider"' };
}

function required(form: URLSearchParams, name: string): string {
  const value = single(form, name);
  if (value === undefined) throw new HttpError(400, 'invalid_request', `${name} is required`);
  return value;
}

function exchangeCode(form: URLSearchParams, clientId: string, provider: ProviderState): GrantOutcome {
  const code = required(form, 'code');
  const redirectUri = required(form, 'redirect_uri');
  const codeVerifier = required(form, 'code_verifier');
  if (!VERIFIER.test(codeVerifier)) {
    throw new HttpError(400, 'invalid_request', 'code_verifier must be 43-128 unreserved characters');
  }
  const outcome = provider.oauth.exchangeCode({ clientId, code, redirectUri, codeVerifier });
  if (outcome.ok) provider.stats.codeExchanges += 1;
  return outcome;
}

function refresh(form: URLSearchParams, clientId: string, provider: ProviderState): GrantOutcome {
  if (provider.switches.failRefresh) {
    return { ok: false, error: 'invalid_grant', description: 'refresh rejected (fail-refresh test switch is on)' };
  }
  const refreshToken = required(form, 'refresh_token');
  const scopeParameter = single(form, 'scope');
  const scopes = scopeParameter === undefined ? undefined : parseScopeParameter(scopeParameter);
  if (scopeParameter !== undefined && !scopes) {
    return { ok: false, error: 'invalid_scope', description: 'unknown scope' };
  }
  const outcome = provider.oauth.refresh({ clientId, refreshToken, scopes });
  if (outcome.ok) provider.stats.refreshes += 1;
  else if (outcome.reuse) provider.stats.refreshReuseDetected += 1;
  return outcome;
}

/**
 * POST /oauth/token. Nothing is awaited after the body is read, so each request's check-and-update of a code or
 * refresh token runs to completion before the next one starts.
 */
async function token(ctx: RequestContext): Promise<void> {
  const { provider } = ctx;
  provider.stats.tokenRequests += 1;
  const form = await readForm(ctx.req);
  const grantType = required(form, 'grant_type');
  let outcome: GrantOutcome;
  if (grantType === 'authorization_code') {
    outcome = exchangeCode(form, authenticateClient(ctx.req, form, provider), provider);
  } else if (grantType === 'refresh_token') {
    if (provider.switches.failRefresh === 'blocked') {
      // What a CDN's or firewall's block page looks like to a client: no OAuth answer at all.
      provider.stats.refreshFailures += 1;
      ctx.res.writeHead(403, { 'content-type': 'text/html' }).end('<html><body><h1>Access denied</h1></body></html>');
      return;
    }
    if (provider.switches.failRefresh === 'internal_error') {
      provider.stats.refreshFailures += 1;
      return sendJson(ctx.res, 200, { ok: false, error: 'internal_error' });
    }
    try {
      outcome = refresh(form, authenticateClient(ctx.req, form, provider), provider);
    } catch (error) {
      provider.stats.refreshFailures += 1;
      throw error;
    }
    if (!outcome.ok) provider.stats.refreshFailures += 1;
  } else {
    throw new HttpError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }
  if (!outcome.ok) return sendJson(ctx.res, 400, { error: outcome.error, error_description: outcome.description });
  sendJson(ctx.res, 200, outcome.tokens, { pragma: 'no-cache' });
}

/** POST /oauth/revoke (RFC 7009): 200 whether or not the token existed, so nothing leaks about other tokens. */
async function revoke(ctx: RequestContext): Promise<void> {
  const form = await readForm(ctx.req);
  const clientId = authenticateClient(ctx.req, form, ctx.provider);
  const token = required(form, 'token');
  ctx.provider.oauth.revoke(clientId, token, single(form, 'token_type_hint'));
  ctx.provider.stats.revocations += 1;
  sendEmpty(ctx.res, 200);
}

export const tokenRoutes: Route[] = [
  { method: 'POST', path: '/oauth/token', handle: token },
  { method: 'POST', path: '/oauth/revoke', handle: revoke },
];
