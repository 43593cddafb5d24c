import type { OAuth2ProviderInput } from '../provider.schema.js';

export const salesforce = {
  kind: 'oauth2',
  id: 'salesforce',
  name: 'Salesforce',
  docsUrl: 'https://help.salesforce.com/HTViewHelpDoc?id=remoteaccess_oauth_web_server_flow.htm&language=en_US',
  params: {
    baseUrl: {
      kind: 'base_url',
      description: 'Login host: https://login.salesforce.com, https://test.salesforce.com or the My Domain URL',
      default: 'https://login.salesforce.com',
      // The token request carries the connected app's secret: only Salesforce's own hosts receive it.
      hostSuffixes: ['salesforce.com'],
    },
  },
  authorizationUrl: '{baseUrl}/services/oauth2/authorize',
  tokenUrl: '{baseUrl}/services/oauth2/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  defaultScopes: ['api', 'openid'],
  token: { auth: 'client_secret_post' },
  // No refresh token without the refresh_token scope. Rotation is an optional app setting; a refresh response
  // that carries a refresh token replaces the stored one either way.
  refresh: { supported: true, rotates: false, requiresScope: 'refresh_token' },
  revocation: {
    url: '{baseUrl}/services/oauth2/revoke',
    token: 'either',
    tokenIn: 'form',
    clientAuth: 'none',
  },
  userInfo: { url: '{baseUrl}/services/oauth2/userinfo' },
  accountId: { from: 'user_info', path: 'user_id', workspacePath: 'organization_id', labelPath: 'preferred_username' },
} satisfies OAuth2ProviderInput;

export const hubspot = {
  kind: 'oauth2',
  id: 'hubspot',
  name: 'HubSpot',
  docsUrl: 'https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide',
  authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
  // The v3 endpoints take every parameter in the body (v1 is deprecated, sunset 2027-02-16).
  tokenUrl: 'https://api.hubapi.com/oauth/v3/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  defaultScopes: ['oauth'],
  token: { auth: 'client_secret_post' },
  grantedScopes: { path: 'scopes', separator: ' ' },
  refresh: { supported: true, rotates: false },
  revocation: {
    url: 'https://api.hubapi.com/oauth/v3/token/revoke',
    token: 'refresh_token',
    tokenIn: 'form',
    clientAuth: 'client_secret_post',
  },
  // The v3 token response names the portal (`hub_id`) and the installing user (`user_id`).
  accountId: { from: 'token', path: 'user_id', workspacePath: 'hub_id' },
} satisfies OAuth2ProviderInput;
