import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { parseConfig } from '@gatehouse/config';
import { createLogger } from '@gatehouse/telemetry';
import { demoProviderConfigSchema } from '../src/config.js';
import { startDemoProvider, type RunningDemoProvider } from '../src/server.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const CLIENT = {
  client_id: 'gatehouse-test',
  client_secret: 'test-client-secret-0123456789',
  redirect_uris: ['http://127.0.0.1:9/callback', 'http://127.0.0.1:9/other?keep=1'],
};
export const REDIRECT_URI = CLIENT.redirect_uris[0]!;

export interface Provider extends RunningDemoProvider {
  /** Every log line the provider wrote. */
  logs: string[];
}

/** A real provider on a free port, with one registered client. */
export async function startProvider(env: Record<string, string> = {}): Promise<Provider> {
  const config = parseConfig(demoProviderConfigSchema, {
    DEMO_PROVIDER_PORT: '0',
    DEMO_PROVIDER_ADMIN_TOKEN: ADMIN_TOKEN,
    DEMO_PROVIDER_CLIENTS: JSON.stringify([CLIENT]),
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const running = await startDemoProvider(
    config,
    createLogger({ service: 'demo-provider', level: 'info', destination }),
  );
  return Object.assign(running, { logs });
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOptions {
  scope?: string;
  challenge?: string;
  redirectUri?: string;
  clientId?: string;
  username?: string;
  decision?: 'approve' | 'deny';
  /** Scopes ticked on the approval page; defaults to every requested one. */
  grant?: string[];
  state?: string;
}

/** The approval page as a browser gets it: the hidden form fields and the CSRF cookie. */
export interface ApprovalPage {
  status: number;
  html: string;
  interaction: string;
  csrf: string;
  cookie: string;
}

export function authorizeUrl(provider: Provider, options: AuthorizeOptions & { challenge: string }): string {
  const url = new URL('/oauth/authorize', provider.url);
  url.search = new URLSearchParams({
    client_id: options.clientId ?? CLIENT.client_id,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    response_type: 'code',
    scope: options.scope ?? 'notes:read notes:write',
    state: options.state ?? 'state-123',
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

export async function openApprovalPage(url: string): Promise<ApprovalPage> {
  const res = await fetch(url, { redirect: 'manual' });
  const html = await res.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  return {
    status: res.status,
    html,
    interaction: field('interaction'),
    csrf: field('csrf'),
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!,
  };
}

/** Posts the approval form; returns the response (a 302 back to the client when all is well). */
export function submitApproval(
  provider: Provider,
  page: ApprovalPage,
  fields: { username?: string; decision?: string; grant?: string[]; csrf?: string; cookie?: string },
): Promise<Response> {
  const form = new URLSearchParams({
    interaction: page.interaction,
    csrf: fields.csrf ?? page.csrf,
    username: fields.username ?? 'alice',
    decision: fields.decision ?? 'approve',
  });
  for (const scope of fields.grant ?? []) form.append('scope', scope);
  return fetch(`${provider.url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: fields.cookie ?? page.cookie },
    body: form,
  });
}

/** Runs the browser part of the flow and returns the parameters the client's redirect URI receives. */
export async function authorize(provider: Provider, options: AuthorizeOptions = {}) {
  const pkce = pkcePair();
  const page = await openApprovalPage(
    authorizeUrl(provider, { ...options, challenge: options.challenge ?? pkce.challenge }),
  );
  if (page.status !== 200) throw new Error(`approval page answered ${page.status}: ${page.html}`);
  const requested = (options.scope ?? 'notes:read notes:write').split(' ');
  const res = await submitApproval(provider, page, {
    username: options.username ?? 'alice',
    decision: options.decision ?? 'approve',
    grant: options.grant ?? requested,
  });
  if (res.status !== 302) throw new Error(`approval answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get('location')!);
  return { location, params: location.searchParams, verifier: pkce.verifier, code: location.searchParams.get('code') };
}

export function basicAuth(clientId = CLIENT.client_id, secret = CLIENT.client_secret): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function tokenRequest(
  provider: Provider,
  fields: Record<string, string>,
  /** An Authorization header value; `null` sends none (client_secret_post, or no client authentication). */
  auth: string | null = basicAuth(),
  path = '/oauth/token',
): Promise<TokenResponse> {
  const res = await fetch(`${provider.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth === null ? {} : { authorization: auth }) },
    body: new URLSearchParams(fields),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

/** The whole flow: approval page → code → tokens. */
export async function signIn(provider: Provider, options: AuthorizeOptions = {}): Promise<Tokens> {
  const { code, verifier } = await authorize(provider, options);
  const res = await tokenRequest(provider, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    code_verifier: verifier,
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as unknown as Tokens;
}

export function refresh(provider: Provider, refreshToken: string, extra: Record<string, string> = {}) {
  return tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

export function api(
  provider: Provider,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${provider.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function admin(provider: Provider, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${provider.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function stats(provider: Provider): Promise<Record<string, number>> {
  return (await (await admin(provider, 'GET', '/admin/stats')).json()) as Record<string, number>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
