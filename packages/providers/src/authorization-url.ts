import { createHash } from 'node:crypto';
import { ProviderError } from './provider.errors.js';
import { expectOAuth2 } from './provider-kind.js';
import { SCOPE_TOKEN, type ProviderDefinition } from './provider.schema.js';
import { fillTemplate, resolveParams, type ProviderParams } from './templates.js';

export interface AuthorizationInput {
  clientId: string;
  redirectUri: string;
  /** Opaque, unguessable, bound to the user's session by the caller; echoed back on the callback. */
  state: string;
  /** Scopes the tools need; the entry's default scopes and its refresh scope are always added. */
  scopes?: readonly string[];
  /** `BASE64URL(SHA256(code_verifier))` (see `pkceChallenge`); sent only to providers that support PKCE. */
  codeChallenge?: string;
  /** Values for the entry's URL placeholders (`tenant`, `baseUrl`). */
  params?: ProviderParams;
}

export interface AuthorizationRequest {
  url: string;
  /** Exactly the scopes requested: what was granted when the token response does not say. */
  scopes: string[];
  /** Whether a code challenge was sent, so the token request must carry the code verifier. */
  pkce: boolean;
}

/** An S256 challenge: 32 bytes of SHA-256, base64url without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: 43–128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** The PKCE S256 code challenge of a code verifier (RFC 7636 §4.2). */
export function pkceChallenge(codeVerifier: string): string {
  if (!CODE_VERIFIER.test(codeVerifier)) {
    throw new ProviderError('invalid_request', 'a code verifier is 43–128 characters of [A-Za-z0-9._~-]');
  }
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** The scopes an authorization request for `scopes` asks for: defaults first, then the tools', then refresh. */
export function requestedScopes(definition: ProviderDefinition, scopes: readonly string[] = []): string[] {
  const provider = expectOAuth2(definition);
  const all = [...provider.defaultScopes, ...scopes];
  if (provider.refresh.requiresScope) all.push(provider.refresh.requiresScope);
  for (const scope of all) {
    if (!SCOPE_TOKEN.test(scope) || (provider.scopeSeparator === ',' && scope.includes(','))) {
      throw new ProviderError('invalid_request', `"${scope}" is not a valid ${provider.name} scope`);
    }
  }
  return [...new Set(all)];
}

/**
 * The URL to send the user to (authorization code grant, RFC 6749 §4.1.1), with the provider's scope separator
 * and scope parameter, PKCE S256 when the provider supports it and a challenge is given (mandatory when the
 * provider requires it), the entry's fixed extras, and its placeholders filled from validated `params`.
 */
export function buildAuthorizationUrl(definition: ProviderDefinition, input: AuthorizationInput): AuthorizationRequest {
  const provider = expectOAuth2(definition);
  if (!input.clientId) throw new ProviderError('invalid_request', 'clientId is empty');
  if (!input.state) throw new ProviderError('invalid_request', 'state is empty');
  checkRedirectUri(input.redirectUri);

  const scopes = requestedScopes(provider, input.scopes);
  const pkce = provider.pkce !== 'unsupported' && input.codeChallenge !== undefined;
  if (pkce && !S256_CHALLENGE.test(input.codeChallenge!)) {
    throw new ProviderError(
      provider.pkce === 'required' ? 'pkce_required' : 'invalid_request',
      'the code challenge must be an S256 challenge (43 base64url characters)',
    );
  }
  if (provider.pkce === 'required' && !pkce) {
    throw new ProviderError('pkce_required', `${provider.name} requires PKCE: pass an S256 code challenge`);
  }

  const query: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', input.clientId],
    ['redirect_uri', input.redirectUri],
  ];
  if (scopes.length > 0) query.push([provider.scopeParam, scopes.join(provider.scopeSeparator)]);
  query.push(['state', input.state]);
  if (pkce) query.push(['code_challenge', input.codeChallenge!], ['code_challenge_method', 'S256']);
  query.push(...Object.entries(provider.extraAuthorizationParams));

  const base = fillTemplate(provider.authorizationUrl, resolveParams(provider, input.params));
  // encodeURIComponent, not URLSearchParams: a space must be %20, as some providers do not read `+` as a space.
  const search = query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
  return { url: `${base}?${search}`, scopes, pkce };
}

function checkRedirectUri(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol) || url.hash !== '' || value.includes('#')) {
    throw new ProviderError('invalid_request', 'redirectUri must be an absolute http(s) URL without fragment');
  }
}
