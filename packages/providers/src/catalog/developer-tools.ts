import type { OAuth2ProviderInput } from '../provider.schema.js';

// Entries checked against the page in each docsUrl. Comments record what a page does not say outright.

export const github = {
  kind: 'oauth2',
  id: 'github',
  name: 'GitHub',
  docsUrl: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps',
  authorizationUrl: 'https://github.com/login/oauth/authorize',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  // S256 only; GitHub Enterprise Server versions without PKCE ignore it (github.com only here).
  pkce: 'supported',
  scopeSeparator: ' ',
  // GET /user works with any token, so no scope is needed to identify the account.
  defaultScopes: [],
  // The sub-scopes the scopes page lists under each parent; GitHub answers a request for both with the parent alone.
  impliedScopes: {
    repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
    'admin:repo_hook': ['write:repo_hook'],
    'write:repo_hook': ['read:repo_hook'],
    'admin:org': ['write:org', 'manage_runners:org'],
    'write:org': ['read:org'],
    'admin:public_key': ['write:public_key'],
    'write:public_key': ['read:public_key'],
    'admin:gpg_key': ['write:gpg_key'],
    'write:gpg_key': ['read:gpg_key'],
    'admin:ssh_signing_key': ['write:ssh_signing_key'],
    'write:ssh_signing_key': ['read:ssh_signing_key'],
    user: ['read:user', 'user:email', 'user:follow'],
    project: ['read:project'],
  },
  // Without `Accept: application/json` the token endpoint answers form-encoded (our builders always send it).
  token: { auth: 'client_secret_post', headers: { Accept: 'application/json' } },
  // Asked space-separated, answered comma-separated: `"scope": "repo,gist"`.
  grantedScopes: { path: 'scope', separator: ',' },
  // Only for OAuth apps that opted in to expiring user tokens (8 h; refresh token 6 months, replaced on use).
  refresh: { supported: true, rotates: true },
  revocation: {
    url: 'https://api.github.com/applications/{clientId}/token',
    method: 'DELETE',
    token: 'access_token',
    tokenIn: 'json',
    tokenParam: 'access_token',
    clientAuth: 'client_secret_basic',
    headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
  },
  // GitHub's REST API also requires a User-Agent header; the HTTP client sends one.
  userInfo: {
    url: 'https://api.github.com/user',
    headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
  },
  accountId: { from: 'user_info', path: 'id', labelPath: 'login' },
} satisfies OAuth2ProviderInput;

export const gitlab = {
  kind: 'oauth2',
  id: 'gitlab',
  name: 'GitLab',
  docsUrl: 'https://docs.gitlab.com/api/oauth2/',
  params: {
    baseUrl: {
      kind: 'base_url',
      description: 'GitLab instance URL (https://gitlab.com or a self-managed instance)',
      default: 'https://gitlab.com',
    },
  },
  authorizationUrl: '{baseUrl}/oauth/authorize',
  tokenUrl: '{baseUrl}/oauth/token',
  pkce: 'supported',
  scopeSeparator: ' ',
  defaultScopes: ['read_user'],
  token: { auth: 'client_secret_post' },
  // Access tokens last 2 hours; each refresh returns a new refresh token and revokes the old one.
  refresh: { supported: true, rotates: true },
  revocation: { url: '{baseUrl}/oauth/revoke', token: 'either', tokenIn: 'form', clientAuth: 'client_secret_post' },
  userInfo: { url: '{baseUrl}/api/v4/user' },
  // Ids are per instance: a connection stores its baseUrl along with the account id.
  accountId: { from: 'user_info', path: 'id', labelPath: 'username' },
} satisfies OAuth2ProviderInput;

export const linear = {
  kind: 'oauth2',
  id: 'linear',
  name: 'Linear',
  docsUrl: 'https://linear.app/developers/oauth-2-0-authentication',
  authorizationUrl: 'https://linear.app/oauth/authorize',
  tokenUrl: 'https://api.linear.app/oauth/token',
  // PKCE: not confirmed on the retrieved part of the docs page (see the package README).
  pkce: 'supported',
  scopeSeparator: ',',
  defaultScopes: ['read'],
  token: { auth: 'client_secret_post' },
  // The response has carried `scope` both as an array and as a string; both are read.
  grantedScopes: { path: 'scope', separator: ',' },
  // Since 2025-10 (new apps) and 2026-04 (all apps): 24 h access tokens with rotating refresh tokens.
  refresh: { supported: true, rotates: true },
  revocation: {
    url: 'https://api.linear.app/oauth/revoke',
    token: 'access_token',
    tokenIn: 'authorization_header',
    clientAuth: 'none',
  },
  userInfo: {
    url: 'https://api.linear.app/graphql',
    method: 'POST',
    body: '{"query":"query { viewer { id email } }"}',
  },
  accountId: { from: 'user_info', path: 'data.viewer.id', labelPath: 'data.viewer.email' },
} satisfies OAuth2ProviderInput;

export const atlassian = {
  kind: 'oauth2',
  id: 'atlassian',
  name: 'Atlassian (Jira, Confluence)',
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/',
  authorizationUrl: 'https://auth.atlassian.com/authorize',
  tokenUrl: 'https://auth.atlassian.com/oauth/token',
  pkce: 'unsupported',
  scopeSeparator: ' ',
  defaultScopes: ['read:me'],
  extraAuthorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' },
  token: { auth: 'client_secret_post', bodyFormat: 'json' },
  // Rotating refresh tokens, issued only with offline_access. The site's cloud id is read after the grant from
  // https://api.atlassian.com/oauth/token/accessible-resources (a user may grant several sites).
  refresh: { supported: true, rotates: true, requiresScope: 'offline_access' },
  userInfo: { url: 'https://api.atlassian.com/me' },
  accountId: { from: 'user_info', path: 'account_id', labelPath: 'email' },
} satisfies OAuth2ProviderInput;

export const figma = {
  kind: 'oauth2',
  id: 'figma',
  name: 'Figma',
  docsUrl: 'https://developers.figma.com/docs/rest-api/authentication',
  authorizationUrl: 'https://www.figma.com/oauth',
  // The www.figma.com/api/oauth/token endpoint was retired on 2025-02-26 in favour of this one.
  tokenUrl: 'https://api.figma.com/v1/oauth/token',
  pkce: 'unsupported',
  scopeSeparator: ' ',
  defaultScopes: ['current_user:read'],
  token: { auth: 'client_secret_basic' },
  // Refreshing answers only a new access token: the refresh token stays.
  refresh: { supported: true, rotates: false, url: 'https://api.figma.com/v1/oauth/refresh' },
  userInfo: { url: 'https://api.figma.com/v1/me' },
  accountId: { from: 'user_info', path: 'id', labelPath: 'email' },
} satisfies OAuth2ProviderInput;
