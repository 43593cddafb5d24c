import type { OAuth2ProviderInput } from '../provider.schema.js';

/**
 * The local demo provider shipped for development and tests: a standard OAuth 2.0 authorization server (RFC 6749,
 * PKCE per RFC 7636, revocation per RFC 7009) with a small notes API, so the whole connection flow runs offline.
 * It runs on a loopback address in development, hence plain http is accepted there.
 */
export const demo = {
  kind: 'oauth2',
  id: 'demo',
  name: 'Gatehouse Demo',
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc6749',
  params: {
    baseUrl: {
      kind: 'base_url',
      description: 'Where the demo provider runs, e.g. http://localhost:4010',
      allowLocalHttp: true,
    },
  },
  authorizationUrl: '{baseUrl}/oauth/authorize',
  tokenUrl: '{baseUrl}/oauth/token',
  pkce: 'required',
  scopeSeparator: ' ',
  defaultScopes: ['notes:read'],
  token: { auth: 'client_secret_basic' },
  refresh: { supported: true, rotates: true },
  revocation: {
    url: '{baseUrl}/oauth/revoke',
    token: 'either',
    tokenIn: 'form',
    clientAuth: 'client_secret_basic',
  },
  userInfo: { url: '{baseUrl}/api/me' },
  // GET /api/me answers { id, username }.
  accountId: { from: 'user_info', path: 'id', labelPath: 'username' },
} satisfies OAuth2ProviderInput;
