import type { INestApplication } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import type { RequestBudget } from '@gatehouse/identity';
import type { NextFunction, Request, Response } from 'express';
import type Provider from 'oidc-provider';
import { INTERACTION_PATH, ISSUER_PATH } from './authorization-server.js';
import { API_CONFIG } from '../infrastructure/tokens.js';
import { AUTHORIZATION_BUDGET, AUTHORIZATION_SERVER, REGISTRATION_BUDGET } from './oauth.tokens.js';

const MAX_REDIRECT_URIS = 10;

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).set('cache-control', 'no-store').json({ error, error_description: description });
}

/**
 * Puts the authorization server in front of Nest's body parsers (the library reads its own bodies): everything
 * under the issuer path except the interaction pages, plus the RFC 8414 / OIDC discovery documents at their
 * path-inserted well-known URLs, which the library itself only serves under the issuer.
 */
export function mountAuthorizationServer(app: INestApplication): void {
  const provider = app.get<Provider>(AUTHORIZATION_SERVER);
  const registrations = app.get<RequestBudget>(REGISTRATION_BUDGET);
  const authorizations = app.get<RequestBudget>(AUTHORIZATION_BUDGET);
  const callback = provider.callback();
  const interactionPrefix = `${INTERACTION_PATH.slice(ISSUER_PATH.length)}/`;
  const publicUrl = new URL(app.get<ApiConfig>(API_CONFIG).PUBLIC_API_URL);

  // The library builds its endpoint URLs, and decides whether cookies may be Secure, from Host and
  // X-Forwarded-*; it would believe them from anyone. It sees the public address instead, always, and the
  // client address Express computed under TRUST_PROXY.
  const asPublic = (req: Request) => {
    req.headers.host = publicUrl.host;
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    delete req.headers['x-forwarded-host'];
    req.headers['x-forwarded-for'] = req.ip ?? '';
  };

  const discovery = (req: Request, res: Response) => {
    asPublic(req);
    req.url = '/.well-known/openid-configuration';
    req.originalUrl = `${ISSUER_PATH}/.well-known/openid-configuration`;
    void callback(req, res);
  };
  app.use(`/.well-known/oauth-authorization-server${ISSUER_PATH}`, discovery);
  app.use(`/.well-known/openid-configuration${ISSUER_PATH}`, discovery);

  app.use(ISSUER_PATH, (req: Request, res: Response, next: NextFunction) => {
    asPublic(req);
    if (req.path.startsWith(interactionPrefix)) return next();
    // The library's router ignores case and a trailing slash: so must these checks, or /REG/ would skip them.
    const route = req.path.toLowerCase().replace(/\/+$/, '');
    if (req.method === 'POST' && route === '/reg') {
      registration(req, res, registrations, () => void callback(req, res)).catch(next);
      return;
    }
    if (route === '/auth') {
      authorizations.take(req.ip ?? 'unknown').then((retryAfter) => {
        if (retryAfter === undefined) return void callback(req, res);
        res.set('retry-after', String(retryAfter));
        res.status(429).type('text/plain').send('Too many sign-in attempts from this address. Try again later.');
      }, next);
      return;
    }
    void callback(req, res);
  });
}

/** Open registration with abuse limits: a budget per IP, a bounded number of redirect URIs, a bounded body. */
async function registration(req: Request, res: Response, limit: RequestBudget, proceed: () => void) {
  const retryAfter = await limit.take(req.ip ?? 'unknown');
  if (retryAfter !== undefined) {
    res.set('retry-after', String(retryAfter));
    return oauthError(res, 429, 'too_many_requests', 'Too many client registrations from this address.');
  }
  // Read the body once to check it; the library then takes the buffered body (it falls back to `req.body` when
  // the stream was consumed).
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) return oauthError(res, 413, 'invalid_client_metadata', 'Registration body too large.');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  try {
    const metadata = JSON.parse(raw.toString('utf8')) as { redirect_uris?: unknown };
    if (Array.isArray(metadata.redirect_uris) && metadata.redirect_uris.length > MAX_REDIRECT_URIS)
      return oauthError(res, 400, 'invalid_redirect_uri', `At most ${MAX_REDIRECT_URIS} redirect URIs.`);
  } catch {
    // Malformed JSON: the library answers it with its own error.
  }
  (req as Request & { body: unknown }).body = raw;
  proceed();
}
