import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { formAction, formField, TestBrowser } from './browser.js';

export const PASSWORD = 'correct horse battery staple';

export interface Member {
  email: string;
  cookie: string;
  csrf: string;
  userId: string;
}

async function json(response: Response, expected: number): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== expected) throw new Error(`${response.url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Signs up a console user through the admin API. */
export async function signUp(apiUrl: string, label: string): Promise<Member> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const response = await fetch(`${apiUrl}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, displayName: label }),
  });
  const session = (await json(response, 201)) as { csrfToken: string; user: { id: string } };
  return {
    email,
    cookie: response.headers.get('set-cookie')!.split(';')[0]!,
    csrf: session.csrfToken,
    userId: session.user.id,
  };
}

export function adminCall(apiUrl: string, who: Member, method: string, path: string, body?: unknown) {
  return fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: who.cookie, 'x-csrf-token': who.csrf },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A tenant owned by `owner` with one MCP server exposing the conformance toolkit; returns the endpoint URL. */
export async function tenantWithServer(apiUrl: string, owner: Member, label: string): Promise<string> {
  const slug = `${label}-${randomUUID().slice(0, 6)}`;
  await json(await adminCall(apiUrl, owner, 'POST', '/api/v1/tenants', { slug, name: label }), 201);
  const server = await json(
    await adminCall(apiUrl, owner, 'POST', `/api/v1/tenants/${slug}/mcp-servers`, {
      slug: 'everything',
      title: 'Everything',
      toolkits: ['conformance'],
      tools: [],
    }),
    201,
  );
  return String(server.endpoint);
}

/** The client side of OAuth as a headless MCP client keeps it: registration, PKCE verifier, tokens. */
export class TestOAuthClient implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';
  readonly clientMetadataUrl?: string;

  constructor(
    readonly redirectUrl: string,
    clientMetadataUrl?: string,
  ) {
    if (clientMetadataUrl) this.clientMetadataUrl = clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Gatehouse e2e client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/**
 * Plays the person in the browser: opens the authorization URL, signs in if asked, allows on the consent page if
 * shown, and returns the URL the browser is finally sent to (the client's redirect URI with code, state, iss).
 */
export async function authorizeInBrowser(
  browser: TestBrowser,
  authorizationUrl: string,
  person: { email: string; password: string },
  steps: string[] = [],
): Promise<URL> {
  const origin = new URL(authorizationUrl).origin;
  let page = await browser.follow(authorizationUrl, origin);
  for (let step = 0; step < 4; step++) {
    if ('redirect' in page) return new URL(page.redirect);
    if (page.status !== 200) throw new Error(`unexpected page ${page.status} at ${page.url}:\n${page.html}`);
    const csrf = formField(page.html, 'csrf');
    if (page.html.includes('name="password"')) {
      steps.push('login');
      page = await browser.follow(new URL(formAction(page.html, '/login'), origin).toString(), origin, {
        form: { csrf, email: person.email, password: person.password },
      });
    } else {
      steps.push('consent');
      page = await browser.follow(new URL(formAction(page.html, '/consent'), origin).toString(), origin, {
        form: { csrf },
      });
    }
  }
  throw new Error('authorization did not finish');
}

/** Registers a public client (RFC 7591) and returns its id. */
export async function registerClient(apiUrl: string, redirectUri: string): Promise<string> {
  const response = await fetch(`${apiUrl}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', client_name: 'e2e' }),
  });
  return String((await json(response, 201)).client_id);
}

/** An authorization request (code + PKCE S256) for `resource`: the URL a client opens, and its code verifier. */
export function authorizationRequest(
  apiUrl: string,
  clientId: string,
  redirectUri: string,
  resource: string,
): { url: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${apiUrl}/oauth/auth`);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'mcp:tools',
    resource,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(key, value);
  return { url: url.toString(), verifier };
}

/** Exchanges the code the browser brought back to the redirect URI for an access token. */
export async function exchangeCode(
  apiUrl: string,
  request: { clientId: string; redirectUri: string; resource: string; verifier: string },
  callback: URL,
): Promise<string> {
  const response = await fetch(`${apiUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: request.redirectUri,
      client_id: request.clientId,
      code_verifier: request.verifier,
      resource: request.resource,
    }),
  });
  return String((await json(response, 200)).access_token);
}

/** Authorization code + PKCE S256 for `resource` as `person`, exchanged for tokens. */
export async function accessTokenFor(
  apiUrl: string,
  clientId: string,
  redirectUri: string,
  person: Member,
  resource: string,
): Promise<string> {
  const { url, verifier } = authorizationRequest(apiUrl, clientId, redirectUri, resource);
  const callback = await authorizeInBrowser(new TestBrowser(), url, { email: person.email, password: PASSWORD });
  return exchangeCode(apiUrl, { clientId, redirectUri, resource, verifier }, callback);
}
