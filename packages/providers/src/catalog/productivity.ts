import type { OAuth2ProviderInput } from '../provider.schema.js';

const GOOGLE = 'https://www.googleapis.com/auth/';

export const google = {
  kind: 'oauth2',
  id: 'google',
  name: 'Google',
  docsUrl: 'https://developers.google.com/identity/protocols/oauth2/web-server',
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  // Full URL rather than `email`: Google reports granted scopes in the long form.
  defaultScopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'],
  // From the scopes each Calendar and Gmail method accepts (its reference page's "Authorization scopes"): a method
  // taking the narrower scope also takes these broader ones.
  impliedScopes: {
    [GOOGLE + 'calendar']: [GOOGLE + 'calendar.readonly', GOOGLE + 'calendar.events'],
    [GOOGLE + 'calendar.readonly']: [GOOGLE + 'calendar.events.readonly', GOOGLE + 'calendar.settings.readonly'],
    [GOOGLE + 'calendar.events']: [GOOGLE + 'calendar.events.readonly'],
    'https://mail.google.com/': [GOOGLE + 'gmail.modify', GOOGLE + 'gmail.insert'],
    [GOOGLE + 'gmail.modify']: [GOOGLE + 'gmail.readonly', GOOGLE + 'gmail.compose', GOOGLE + 'gmail.labels'],
    [GOOGLE + 'gmail.compose']: [GOOGLE + 'gmail.send'],
    [GOOGLE + 'gmail.readonly']: [GOOGLE + 'gmail.metadata'],
  },
  // A refresh token is issued only for offline access, and again on a later grant only with prompt=consent.
  extraAuthorizationParams: { access_type: 'offline', prompt: 'consent' },
  token: { auth: 'client_secret_post' },
  refresh: { supported: true, rotates: false },
  revocation: {
    url: 'https://oauth2.googleapis.com/revoke',
    token: 'either',
    tokenIn: 'form',
    clientAuth: 'none',
  },
  userInfo: { url: 'https://openidconnect.googleapis.com/v1/userinfo' },
  accountId: { from: 'user_info', path: 'sub', labelPath: 'email' },
} satisfies OAuth2ProviderInput;

export const microsoft = {
  kind: 'oauth2',
  id: 'microsoft',
  name: 'Microsoft (Entra ID)',
  docsUrl: 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow',
  params: {
    tenant: {
      kind: 'tenant',
      description: 'Entra tenant: common, organizations, consumers, a tenant id or a verified domain',
      default: 'common',
    },
  },
  authorizationUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
  tokenUrl: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  scopesCaseInsensitive: true,
  defaultScopes: ['openid', 'User.Read'],
  token: { auth: 'client_secret_post' },
  // No refresh token without offline_access; a refresh answers a new one and the old one is to be discarded.
  // The token response's `scope` is optional; absent, the grant is what was asked.
  refresh: { supported: true, rotates: true, requiresScope: 'offline_access' },
  // No revocation endpoint for a single grant: users remove the app at myapps.microsoft.com.
  userInfo: { url: 'https://graph.microsoft.com/v1.0/me' },
  accountId: { from: 'user_info', path: 'id', labelPath: 'userPrincipalName' },
} satisfies OAuth2ProviderInput;

export const slack = {
  kind: 'oauth2',
  id: 'slack',
  name: 'Slack',
  docsUrl: 'https://docs.slack.dev/authentication/installing-with-oauth',
  authorizationUrl: 'https://slack.com/oauth/v2/authorize',
  tokenUrl: 'https://slack.com/api/oauth.v2.access',
  // Slack's PKCE makes the app a public client, one-way, in its settings: not for a server-side confidential app.
  pkce: 'unsupported',
  scopeSeparator: ',',
  // Per-user connections act as the user: user-token scopes go in `user_scope` (`scope` is for the bot token).
  scopeParam: 'user_scope',
  defaultScopes: ['users:read'],
  // Slack prefers HTTP Basic over client_id/client_secret in the body.
  token: { auth: 'client_secret_basic', responseRoot: 'authed_user' },
  grantedScopes: { path: 'authed_user.scope', separator: ',' },
  // Only with token rotation turned on for the app: 12 h tokens, each refresh token used once.
  refresh: { supported: true, rotates: true },
  revocation: {
    url: 'https://slack.com/api/auth.revoke',
    token: 'access_token',
    tokenIn: 'authorization_header',
    clientAuth: 'none',
  },
  accountId: { from: 'token', path: 'authed_user.id', workspacePath: 'team.id', labelPath: 'team.name' },
} satisfies OAuth2ProviderInput;

export const notion = {
  kind: 'oauth2',
  id: 'notion',
  name: 'Notion',
  docsUrl: 'https://developers.notion.com/reference/authorization',
  authorizationUrl: 'https://api.notion.com/v1/oauth/authorize',
  tokenUrl: 'https://api.notion.com/v1/oauth/token',
  pkce: 'unsupported',
  // Notion has no scopes: the user picks pages during consent.
  scopeSeparator: ' ',
  defaultScopes: [],
  extraAuthorizationParams: { owner: 'user' },
  token: { auth: 'client_secret_basic', bodyFormat: 'json' },
  // A refresh answers a new access token and a new refresh token.
  refresh: { supported: true, rotates: true },
  revocation: {
    url: 'https://api.notion.com/v1/oauth/revoke',
    token: 'access_token',
    tokenIn: 'json',
    clientAuth: 'client_secret_basic',
    headers: { 'Notion-Version': '2025-09-03' },
  },
  // The token response names the authorizing user; GET /v1/users/me would return the integration's bot instead.
  accountId: { from: 'token', path: 'owner.user.id', workspacePath: 'workspace_id', labelPath: 'workspace_name' },
} satisfies OAuth2ProviderInput;

export const zoom = {
  kind: 'oauth2',
  id: 'zoom',
  name: 'Zoom',
  docsUrl: 'https://developers.zoom.us/docs/integrations/oauth/',
  authorizationUrl: 'https://zoom.us/oauth/authorize',
  tokenUrl: 'https://zoom.us/oauth/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  defaultScopes: ['user:read:user'],
  token: { auth: 'client_secret_basic' },
  // 1 h access tokens; every refresh answers a new refresh token and invalidates the old one.
  refresh: { supported: true, rotates: true },
  revocation: {
    url: 'https://zoom.us/oauth/revoke',
    token: 'access_token',
    tokenIn: 'query',
    clientAuth: 'client_secret_basic',
  },
  userInfo: { url: 'https://api.zoom.us/v2/users/me' },
  accountId: { from: 'user_info', path: 'id', labelPath: 'email' },
} satisfies OAuth2ProviderInput;

export const dropbox = {
  kind: 'oauth2',
  id: 'dropbox',
  name: 'Dropbox',
  docsUrl: 'https://developers.dropbox.com/oauth-guide',
  authorizationUrl: 'https://www.dropbox.com/oauth2/authorize',
  tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  defaultScopes: ['account_info.read'],
  // Access tokens are short-lived; a refresh token comes only with token_access_type=offline, and does not change.
  extraAuthorizationParams: { token_access_type: 'offline' },
  token: { auth: 'client_secret_basic' },
  refresh: { supported: true, rotates: false },
  revocation: {
    url: 'https://api.dropboxapi.com/2/auth/token/revoke',
    token: 'access_token',
    tokenIn: 'authorization_header',
    clientAuth: 'none',
  },
  accountId: { from: 'token', path: 'account_id' },
} satisfies OAuth2ProviderInput;

export const asana = {
  kind: 'oauth2',
  id: 'asana',
  name: 'Asana',
  docsUrl: 'https://developers.asana.com/docs/oauth',
  authorizationUrl: 'https://app.asana.com/-/oauth_authorize',
  tokenUrl: 'https://app.asana.com/-/oauth_token',
  pkce: 'supported',
  scopeSeparator: ' ',
  // An app registered for "Full permissions" fails when sent specific scopes and one registered for granular
  // scopes needs them: tools add what they need, the entry adds nothing.
  defaultScopes: [],
  token: { auth: 'client_secret_post' },
  refresh: { supported: true, rotates: false },
  revocation: {
    url: 'https://app.asana.com/-/oauth_revoke',
    token: 'refresh_token',
    tokenIn: 'form',
    clientAuth: 'client_secret_post',
  },
  // The token response carries the user: `data: { gid, name, email }`.
  accountId: { from: 'token', path: 'data.gid', labelPath: 'data.email' },
} satisfies OAuth2ProviderInput;

export const discord = {
  kind: 'oauth2',
  id: 'discord',
  name: 'Discord',
  docsUrl: 'https://docs.discord.com/developers/topics/oauth2',
  authorizationUrl: 'https://discord.com/oauth2/authorize',
  tokenUrl: 'https://discord.com/api/oauth2/token',
  // Discord's metadata lists S256, but PKCE is for public clients; a confidential client does not send it.
  pkce: 'unsupported',
  scopeSeparator: ' ',
  defaultScopes: ['identify'],
  token: { auth: 'client_secret_basic' },
  refresh: { supported: true, rotates: true },
  revocation: {
    url: 'https://discord.com/api/oauth2/token/revoke',
    token: 'either',
    tokenIn: 'form',
    clientAuth: 'client_secret_basic',
  },
  userInfo: { url: 'https://discord.com/api/users/@me' },
  accountId: { from: 'user_info', path: 'id', labelPath: 'username' },
} satisfies OAuth2ProviderInput;
