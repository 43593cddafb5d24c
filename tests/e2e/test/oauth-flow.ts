import { randomUUID } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { formAction, formField, type TestBrowser } from './browser.js';

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
