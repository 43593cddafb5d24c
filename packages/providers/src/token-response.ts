import { readPath } from './json-path.js';
import { ProviderError } from './provider.errors.js';
import { expectOAuth2 } from './provider-kind.js';
import type { ProviderDefinition } from './provider.schema.js';
import { parseGrantedScopes } from './scopes.js';

/** A token response reduced to what a connection stores. */
export interface TokenSet {
  accessToken: string;
  /** Absent when the provider issued none; on a refresh, keep the previous one unless a new one came. */
  refreshToken?: string;
  expiresInSeconds?: number;
  tokenType?: string;
  scopes: string[];
}

/**
 * Reads a parsed token response (code exchange or refresh) the way the entry says: tokens under
 * `token.responseRoot` (Slack user tokens live in `authed_user`), granted scopes per `grantedScopes`. An error
 * body — RFC 6749 `error`, or Slack's HTTP 200 with `ok: false` — throws `invalid_token_response` naming only the
 * error code, never echoing the body (it may hold secrets).
 */
export function readTokenResponse(
  definition: ProviderDefinition,
  response: unknown,
  requested: readonly string[],
  /** Which grant answered: a refresh may answer flat where the code exchange nests (Slack). */
  grant: 'authorization_code' | 'refresh_token' = 'authorization_code',
): TokenSet {
  const provider = expectOAuth2(definition);
  const error = readPath(response, 'error');
  if (readPath(response, 'ok') === false || typeof error === 'string') {
    const code = typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? error : 'unknown_error';
    throw new ProviderError('invalid_token_response', `${provider.name} refused the token request: ${code}`);
  }
  const responseRoot = provider.token.responseRoot;
  let root = responseRoot === undefined ? response : readPath(response, responseRoot);
  let scopesFrom = response;
  // Slack's refresh of a user token answers at the top level ({ access_token, refresh_token, token_type: 'user',
  // scope }): no `authed_user` then. Only for a refresh — it answers for the refresh token sent, so the person's own;
  // a code exchange without `authed_user` carries only the bot token, never taken for the person's.
  if (responseRoot !== undefined && grant === 'refresh_token' && (root === null || typeof root !== 'object')) {
    root = response;
    scopesFrom = { [responseRoot]: response };
  }
  const accessToken = readPath(root, 'access_token');
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new ProviderError('invalid_token_response', `${provider.name} answered without an access token`);
  }
  const tokens: TokenSet = { accessToken, scopes: parseGrantedScopes(provider, scopesFrom, requested) };
  const refreshToken = readPath(root, 'refresh_token');
  if (typeof refreshToken === 'string' && refreshToken !== '') tokens.refreshToken = refreshToken;
  const expiresIn = Number(readPath(root, 'expires_in'));
  if (Number.isFinite(expiresIn) && expiresIn > 0) tokens.expiresInSeconds = Math.floor(expiresIn);
  const tokenType = readPath(root, 'token_type');
  if (typeof tokenType === 'string') tokens.tokenType = tokenType;
  return tokens;
}
