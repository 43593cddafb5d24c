import type { ApiConfig } from '@gatehouse/config';
import { UserRepository, type AccessCache, type Database } from '@gatehouse/db';
import type { RequestBudget } from '@gatehouse/identity';
import type { McpEndpointDirectory } from '@gatehouse/registry';
import { toThirdParty } from '@gatehouse/telemetry';
import { PinoLogger } from 'nestjs-pino';
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { htmlEscape, renderPage } from '../common/html-page.js';
import type { AuthorizationKeys } from './authorization-keys.js';
import { clientSecretMatches, MAX_CLIENT_ID_LENGTH, PostgresAdapter, type AccessTokenRow } from './postgres.adapter.js';

/**
 * The library's prompts plus one rule: a redirect to this machine (http on loopback) or to an app's own scheme can be
 * taken by any program running there, which may present the public client's id — so a code is never issued for one
 * without the person seeing a page of this request (RFC 8252 §8.6). Signing in on this request's page is enough (it
 * names the client); with a sign-in session already there, the consent page is shown, remembered consent or not.
 * The library does this for `application_type: native` only, which MCP clients do not register.
 */
function interactionPolicyWithLocalRedirects() {
  const policy = interactionPolicy.base();
  policy.get('consent')!.checks.add(
    new interactionPolicy.Check(
      'local_redirect_prompt',
      'a redirect to this machine or an app scheme requires End-User interaction',
      'interaction_required',
      (ctx) => {
        const { oidc } = ctx;
        if (oidc.params?.response_type === 'none' || oidc.result?.consent || oidc.result?.login)
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const asked = oidc.params?.redirect_uri;
        const redirect = URL.parse(typeof asked === 'string' ? asked : (oidc.client?.redirectUris?.[0] ?? ''));
        return redirect && redirect.protocol !== 'https:'
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
  return policy;
}

/** The one scope of MCP endpoints: list and call the server's tools, read its resources and prompts. */
export const MCP_SCOPE = 'mcp:tools';
export const ISSUER_PATH = '/oauth';
export const INTERACTION_PATH = `${ISSUER_PATH}/interaction`;

export function issuerOf(config: ApiConfig): string {
  return `${config.PUBLIC_API_URL}${ISSUER_PATH}`;
}

/** Hosts that are this machine by name, never by an answer from DNS (which a rebinding name could change). */
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/;

/**
 * Fetches a Client ID Metadata Document. The library hands us its SSRF-guarded dispatcher (special-use addresses
 * refused after DNS resolution, at connect time, so DNS rebinding does not help) and refuses redirects. Outside
 * production, a document on this machine — named `localhost`, `127.x.x.x` or `[::1]` itself, not a name that DNS
 * resolves there (it could answer differently at connect time) — is fetched without it, so a developer can serve one
 * from their own machine; link-local and metadata addresses stay refused everywhere.
 */
function metadataFetch(production: boolean): NonNullable<Configuration['fetch']> {
  return async (url, options) => {
    if (!production && LOOPBACK_HOST.test(new URL(url).hostname.replace(/^\[|\]$/g, ''))) {
      const { dispatcher: _guarded, ...unguarded } = options as RequestInit & { dispatcher?: unknown };
      return toThirdParty(() => fetch(url, unguarded));
    }
    return toThirdParty(() => fetch(url, options));
  };
}

export interface AuthorizationServerDependencies {
  config: ApiConfig;
  db: Database;
  keys: AuthorizationKeys;
  endpoints: McpEndpointDirectory;
  /** Remembers the MCP endpoint's access-token lookups between requests (see AccessCache in @gatehouse/db). */
  accessTokens?: AccessCache<AccessTokenRow>;
  /**
   * The per-address budget of anonymous authorization work (`/oauth/auth`): fetching a Client ID Metadata Document
   * the server does not hold takes from it too, whichever endpoint named the client (`/oauth/token` as well).
   */
  documentFetches?: RequestBudget;
}

/** oidc-provider configured as the MCP authorization server (OAuth 2.1 profile of MCP 2025-11-25). */
export function createAuthorizationServer({
  config,
  db,
  keys,
  endpoints,
  accessTokens,
  documentFetches,
}: AuthorizationServerDependencies): Provider {
  const production = config.NODE_ENV === 'production';
  const secure = config.PUBLIC_API_URL.startsWith('https://');
  const users = new UserRepository(db);

  const configuration: Configuration = {
    adapter: (name: string) => new PostgresAdapter(name, db, name === 'AccessToken' ? accessTokens : undefined),
    jwks: { keys: keys.signingKeys },
    cookies: {
      keys: keys.cookieKeys,
      // `__Host-` needs Path=/ (the session cookie); the interaction cookies are bound to their own paths, so they
      // get `__Secure-`. Plain-http development cannot set Secure cookies at all: plain names there.
      names: secure
        ? {
            session: '__Host-gh_oauth_session',
            interaction: '__Secure-gh_oauth_interaction',
            resume: '__Secure-gh_oauth_resume',
          }
        : { session: 'gh_oauth_session', interaction: 'gh_oauth_interaction', resume: 'gh_oauth_resume' },
      long: { httpOnly: true, sameSite: 'lax', secure, signed: true },
      short: { httpOnly: true, sameSite: 'lax', secure, signed: true },
    },
    scopes: ['openid', 'offline_access', MCP_SCOPE],
    claims: { openid: ['sub'], email: ['email'] },
    async findAccount(_ctx, sub) {
      const user = await users.findById(sub);
      if (!user) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, email: user.email }) };
    },
    // OAuth 2.1 profile: authorization code only (no implicit or hybrid response types).
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Not `client_secret_jwt`: its HMAC key is the secret itself, which is stored only as a digest here.
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      // The signing key is P-256 (see authorization-keys.ts).
      id_token_signed_response_alg: 'ES256',
    },
    extraClientMetadata: {
      // Kept as registered (RFC 7591), and the one hook that sees every client's metadata, registered or fetched
      // (Client ID Metadata Documents): redirect URIs are https, or http only on this machine (OAuth 2.1 §2.3.1,
      // MCP authorization) — codes and state never travel in cleartext across a network.
      properties: ['software_id'],
      validator(_ctx, key, _value, metadata) {
        if (key !== 'software_id') return;
        for (const uri of (metadata['redirect_uris'] as string[] | undefined) ?? []) {
          const url = URL.parse(uri);
          if (url?.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
            throw new errors.InvalidRedirectUri(
              'redirect_uris may use http only on the loopback interface (localhost, 127.0.0.1, [::1]); use https',
            );
        }
      },
    },
    features: {
      devInteractions: { enabled: false },
      // Not needed by MCP, and with open registration its post-logout redirect would be an open redirect.
      rpInitiatedLogout: { enabled: false },
      revocation: { enabled: true },
      // The MCP endpoint takes Bearer tokens only: a DPoP-bound token would work there without its proof.
      dPoP: { enabled: false },
      // Not used by MCP clients, and each pushed request costs a stored row and a client lookup with no budget.
      pushedAuthorizationRequests: { enabled: false },
      registration: { enabled: true, issueRegistrationAccessToken: false },
      clientIdMetadataDocument: {
        enabled: true,
        ack: 'draft-02',
        // Asked only when the document is not held: each fetch is outbound work an anonymous request causes.
        async allowFetch(ctx, clientId: string) {
          // A client id is stored in at most 2048 characters: a longer URL names no client this server can keep.
          if (clientId.length > MAX_CLIENT_ID_LENGTH) return false;
          // No request of the library's own: the api's pages looking up the client of a sign-in already under way
          // (admitted, and charged, when it began) — the document's cache time may simply have passed meanwhile.
          if (!documentFetches || ctx === undefined) return true;
          return (await documentFetches.take((ctx.req as { ip?: string }).ip ?? 'unknown')) === undefined;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        async getResourceServerInfo(_ctx, resource) {
          const endpoint = await endpoints.resolve(resource);
          if (!endpoint) throw new errors.InvalidTarget('unknown MCP server');
          return {
            scope: MCP_SCOPE,
            audience: endpoint.url,
            accessTokenTTL: config.OAUTH_ACCESS_TOKEN_TTL,
            // Opaque: looked up on every request, so revocation takes effect at once.
            accessTokenFormat: 'opaque',
          };
        },
      },
    },
    fetch: metadataFetch(production),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: config.OAUTH_ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 86_400,
      Grant: config.OAUTH_REFRESH_TOKEN_TTL,
      RefreshToken: config.OAUTH_REFRESH_TOKEN_TTL,
    },
    interactions: {
      policy: interactionPolicyWithLocalRedirects(),
      url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`,
    },
    renderError(ctx, out) {
      rendered.add(ctx);
      ctx.type = 'html';
      ctx.body = renderPage(
        'Sign-in failed',
        `<h1>Sign-in failed</h1><p>${htmlEscape(String(out.error))}: ${htmlEscape(String(out.error_description ?? ''))}</p>`,
      );
    },
  };

  const provider = new Provider(issuerOf(config), configuration);
  // Registered clients' secrets are stored as digests (postgres.adapter.ts): compared as such. The library's own
  // comparison would hold the digest against the presented secret.
  provider.Client.prototype.compareClientSecret = function (this: { clientSecret?: string }, presented: string) {
    return typeof this.clientSecret === 'string' && clientSecretMatches(this.clientSecret, presented);
  };
  // Requests reach the library with Host and X-Forwarded-* rewritten to the public URL (mount.ts), so it may
  // read them: that is how it knows the request was https and sets Secure cookies.
  provider.proxy = true;
  provider.on('authorization.error', (ctx: KoaContextWithOIDC, error: errors.OIDCProviderError) =>
    refused.set(ctx, `${error.error}: ${error.error_description ?? ''}`),
  );
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    refused.set(ctx, 'server_error');
    // The library answers the client itself (no exception reaches the api's filter): the operators hear of it here.
    PinoLogger.root?.error(
      {
        err:
          error instanceof Error
            ? { type: error.name, message: error.message, stack: error.stack, cause: error.cause }
            : error,
        path: ctx.path,
      },
      'authorization server error',
    );
  });
  provider.use(defaultScope);
  provider.use(noFraming);
  provider.use(noUnattendedErrorRedirects);
  return provider;
}

/** Requests the library answered with an authorization error, and those whose error it rendered as its own page. */
const refused = new WeakMap<object, string>();
const rendered = new WeakSet<object>();

/**
 * An authorization request the library refuses (a bad scope or resource, no PKCE, `prompt=none` without a session …)
 * is answered at the client's registered redirect URI. Anyone can register a client (or publish a metadata document)
 * with any https redirect URI, so that would make this server's sign-in URL an open redirector for phishing — "send an
 * erroneous request and be sent to my site" (RFC 9700 §4.11.2). No registered client is trusted that way here: a
 * request refused before the person has seen any page of it gets a page of ours naming the error and the site the
 * application asked to return to, and the person chooses whether to go there (the link carries the error response, so
 * the application still learns it). Errors after the person has seen the sign-in or consent page (a declined consent,
 * on the resume route) go back as the library sends them.
 */
async function noUnattendedErrorRedirects(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const error = refused.get(ctx);
  if (ctx.oidc?.route !== 'authorization' || error === undefined || rendered.has(ctx)) return;
  const location = ctx.response.get('location');
  const target = location ? URL.parse(location) : null;
  const back = target
    ? `<p class="muted">It asked to return to <code>${htmlEscape(target.host || target.protocol)}</code>. Go there only if you trust that site:</p><p><a href="${htmlEscape(target.href)}" rel="noreferrer">Return to the application</a></p>`
    : '';
  const client = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'An application';
  ctx.remove('location');
  // The request's fault, or the server's own (which the library reports as `server_error`).
  ctx.status = error === 'server_error' ? 500 : 400;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.set('referrer-policy', 'no-referrer');
  ctx.set(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  );
  ctx.body = renderPage(
    'Sign-in request refused',
    `<h1>Sign-in request refused</h1><p><strong>${htmlEscape(client)}</strong> sent a sign-in request that cannot be accepted, so nothing was shared with it.</p><p class="error">${htmlEscape(error)}</p>${back}`,
  );
}

/** MCP clients that send no `scope` (the conformance suite does not) ask for the server's scope. */
async function defaultScope(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  if (
    ctx.path.toLowerCase().replace(/\/+$/, '') === '/auth' &&
    ctx.method === 'GET' &&
    !ctx.query.scope &&
    ctx.query.resource
  ) {
    ctx.query = { ...ctx.query, scope: MCP_SCOPE };
  }
  await next();
}

/** The library's own HTML (errors, form_post) may not be framed either: no clickjacking of anything under /oauth. */
async function noFraming(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  if (ctx.response.is('html')) {
    ctx.set('x-frame-options', 'DENY');
    const csp = ctx.response.get('content-security-policy');
    ctx.set('content-security-policy', csp ? `${csp}; frame-ancestors 'none'` : "frame-ancestors 'none'");
  }
}
