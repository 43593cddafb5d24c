import { ProviderError } from './provider.errors.js';
import { expectApiKey, expectOAuth2 } from './provider-kind.js';
import type { OAuth2Provider, ProviderDefinition } from './provider.schema.js';
import {
  CLIENT_ID_PLACEHOLDER,
  fillTemplate,
  resolveParams,
  resolveProviderUrls,
  type ProviderParams,
} from './templates.js';

/** A request described as data; the caller sends it (`fetch(url, { method, headers, body })`). */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export type TokenGrant =
  | { grant: 'authorization_code'; code: string; redirectUri: string; codeVerifier?: string }
  | { grant: 'refresh_token'; refreshToken: string };

/**
 * The token request for a code exchange or a refresh: the entry's endpoint (Figma refreshes elsewhere), client
 * authentication (HTTP Basic per RFC 6749 §2.3.1, or id and secret in the body), form or JSON body, fixed headers.
 */
export function buildTokenRequest(
  definition: ProviderDefinition,
  grant: TokenGrant,
  client: ClientCredentials,
  params?: ProviderParams,
): HttpRequest {
  const provider = expectOAuth2(definition);
  const urls = resolveProviderUrls(provider, params);
  const fields: Record<string, string> = { grant_type: grant.grant };
  let url = urls.tokenUrl;
  if (grant.grant === 'authorization_code') {
    fields.code = grant.code;
    fields.redirect_uri = grant.redirectUri;
    if (grant.codeVerifier !== undefined && provider.pkce !== 'unsupported') fields.code_verifier = grant.codeVerifier;
    else if (provider.pkce === 'required') {
      throw new ProviderError('pkce_required', `${provider.name} requires the PKCE code verifier`);
    }
  } else {
    if (!provider.refresh.supported) {
      throw new ProviderError('invalid_request', `${provider.name} does not issue refresh tokens`);
    }
    fields.refresh_token = grant.refreshToken;
    url = urls.refreshUrl;
  }
  const headers = { Accept: 'application/json', ...provider.token.headers };
  applyClientAuth(provider.token.auth, client, headers, fields);
  return { method: 'POST', url, ...encodeBody(provider.token.bodyFormat, fields, headers) };
}

/**
 * The request that revokes a token at the provider, or undefined when the provider has no revocation endpoint
 * (Microsoft, Atlassian, Figma: the user removes the app in their account settings). Which token to pass is in
 * `revocation.token`.
 */
export function buildRevocationRequest(
  definition: ProviderDefinition,
  token: string,
  client: ClientCredentials,
  params?: ProviderParams,
): HttpRequest | undefined {
  const provider = expectOAuth2(definition);
  const revocation = provider.revocation;
  if (!revocation) return undefined;
  const values = { ...resolveParams(provider, params), [CLIENT_ID_PLACEHOLDER]: encodeURIComponent(client.clientId) };
  let url = fillTemplate(revocation.url, values);
  const headers: Record<string, string> = { Accept: 'application/json', ...revocation.headers };
  const fields: Record<string, string> = {};
  if (revocation.tokenIn === 'authorization_header') headers.Authorization = `Bearer ${token}`;
  else if (revocation.tokenIn === 'query')
    url += `${url.includes('?') ? '&' : '?'}${query({ [revocation.tokenParam]: token })}`;
  else fields[revocation.tokenParam] = token;
  if (revocation.clientAuth !== 'none') applyClientAuth(revocation.clientAuth, client, headers, fields);
  if (revocation.tokenIn !== 'form' && revocation.tokenIn !== 'json')
    return { method: revocation.method, url, headers };
  return { method: revocation.method, url, ...encodeBody(revocation.tokenIn, fields, headers) };
}

/** The request for the user-info endpoint (a GraphQL POST for Linear), or undefined when the entry has none. */
export function buildUserInfoRequest(
  definition: ProviderDefinition,
  accessToken: string,
  params?: ProviderParams,
): HttpRequest | undefined {
  const provider = expectOAuth2(definition);
  const { userInfoUrl } = resolveProviderUrls(provider, params);
  if (!provider.userInfo || userInfoUrl === undefined) return undefined;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    ...provider.userInfo.headers,
    Authorization: `Bearer ${accessToken}`,
  };
  const request: HttpRequest = { method: provider.userInfo.method, url: userInfoUrl, headers };
  if (provider.userInfo.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    request.body = provider.userInfo.body;
  }
  return request;
}

/** How an API-key credential is attached to a request: headers to set and query parameters to add. */
export interface ApiKeyAuth {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** Checks the credential fields against the entry (present, matching their pattern) and places them. */
export function applyApiKey(
  definition: ProviderDefinition,
  credentials: Readonly<Record<string, string | undefined>>,
): ApiKeyAuth {
  const provider = expectApiKey(definition);
  for (const field of provider.fields) {
    const value = credentials[field.name];
    if (value === undefined || value === '') {
      throw new ProviderError('invalid_credential', `${provider.name}: "${field.label}" is missing`);
    }
    if (field.pattern !== undefined && !new RegExp(field.pattern).test(value)) {
      throw new ProviderError('invalid_credential', `${provider.name}: "${field.label}" does not look right`);
    }
  }
  const value = (name: string) => credentials[name]!;
  const auth: ApiKeyAuth = { headers: { ...provider.headers }, query: {} };
  const placement = provider.placement;
  if (placement.type === 'header') {
    const key = value(placement.field);
    auth.headers[placement.header] = placement.scheme ? `${placement.scheme} ${key}` : key;
  } else if (placement.type === 'basic') {
    const password = placement.passwordField === undefined ? '' : value(placement.passwordField);
    auth.headers.Authorization = `Basic ${Buffer.from(`${value(placement.usernameField)}:${password}`).toString('base64')}`;
  } else {
    auth.query[placement.param] = value(placement.field);
  }
  return auth;
}

function applyClientAuth(
  method: OAuth2Provider['token']['auth'],
  client: ClientCredentials,
  headers: Record<string, string>,
  fields: Record<string, string>,
): void {
  if (!client.clientId || !client.clientSecret) {
    throw new ProviderError('invalid_request', 'client id and secret are required');
  }
  if (method === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
    headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    fields.client_id = client.clientId;
    fields.client_secret = client.clientSecret;
  }
}

function encodeBody(
  format: 'form' | 'json',
  fields: Record<string, string>,
  headers: Record<string, string>,
): { headers: Record<string, string>; body: string } {
  if (format === 'json')
    return { headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(fields) };
  return { headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: query(fields) };
}

function query(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
