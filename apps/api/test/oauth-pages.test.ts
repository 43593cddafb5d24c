import { request, type IncomingHttpHeaders } from 'node:http';
import { startApi, signUp, callAs, TEST_PASSWORD, type RunningApi, type Person } from './helpers.js';

/**
 * The authorization server's browser-facing side behind an https public URL (TLS ends at a proxy that sends
 * X-Forwarded-Proto): prefixed Secure cookies, pages that cannot be framed or cached, CSRF and Origin checks.
 * Also the MCP endpoint's answers before any token is looked at.
 */
let api: RunningApi;
let alice: Person;
let endpoint: string;
let clientId: string;
const PUBLIC = 'https://gatehouse.example';
const REDIRECT = 'http://127.0.0.1:9/callback';
const https = { 'x-forwarded-proto': 'https' };

beforeAll(async () => {
  api = await startApi({ PUBLIC_API_URL: PUBLIC, TRUST_PROXY: 'loopback' });
  alice = await signUp(api, 'alice');
  const slug = `pages-${alice.userId.slice(0, 6)}`;
  expect((await callAs(api, 'POST', '/api/v1/tenants', alice, { slug, name: 'Pages' })).status).toBe(201);
  const server = await callAs(api, 'POST', `/api/v1/tenants/${slug}/mcp-servers`, alice, {
    slug: 'main',
    title: 'Main',
    toolkits: ['conformance'],
  });
  endpoint = ((await server.json()) as { endpoint: string }).endpoint;
  const registration = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...https },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
  });
  expect(registration.status).toBe(201);
  clientId = ((await registration.json()) as { client_id: string }).client_id;
});

afterAll(async () => {
  await api.close();
});

function cookiesOf(response: Response): string[] {
  return response.headers.getSetCookie();
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((line) => line.split(';')[0]).join('; ');
}

async function startAuthorization() {
  const url = new URL(`${api.url}/oauth/auth`);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'mcp:tools',
    resource: endpoint,
    state: 's',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(key, value);
  const response = await fetch(url, { redirect: 'manual', headers: https });
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location')!, api.url);
  return { interaction: location.pathname, cookies: cookiesOf(response) };
}

test('interaction cookies are Secure and prefixed, the sign-in cookie is __Host-', async () => {
  const { interaction, cookies } = await startAuthorization();
  expect(new URL(`${PUBLIC}${interaction}`).toString()).toMatch(/^https:\/\/gatehouse\.example\/oauth\/interaction\//);
  const names = cookies.map((line) => line.split('=')[0]);
  expect(names).toEqual(expect.arrayContaining(['__Secure-gh_oauth_interaction', '__Secure-gh_oauth_resume']));
  for (const line of cookies) expect(line).toMatch(/; secure/i);
  for (const line of cookies) expect(line).toMatch(/; httponly/i);

  const page = await fetch(`${api.url}${interaction}`, { headers: { cookie: cookieHeader(cookies), ...https } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.headers.get('cache-control')).toBe('no-store');
  // Never `no-referrer`: a browser would send its form posts with `Origin: null`, which the origin check refuses.
  expect(page.headers.get('referrer-policy')).toBe('same-origin');
  const html = await page.text();
  expect(html).not.toContain('<script');
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;

  const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${interaction}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(cookies),
        'content-type': 'application/x-www-form-urlencoded',
        ...https,
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
  // Wrong CSRF token, or a foreign Origin: refused, the person is not signed in.
  expect((await post({ csrf: 'forged', email: alice.email, password: TEST_PASSWORD })).status).toBe(403);
  expect(
    (await post({ csrf, email: alice.email, password: TEST_PASSWORD }, { origin: 'https://evil.example' })).status,
  ).toBe(403);
  const wrong = await post({ csrf, email: alice.email, password: 'not the password' });
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain('role="alert"');

  const signedIn = await post({ csrf, email: alice.email, password: TEST_PASSWORD }, { origin: PUBLIC });
  expect(signedIn.status).toBe(303);
  // Resuming the authorization request starts the authorization server's own session.
  const resume = new URL(signedIn.headers.get('location')!, api.url);
  expect(resume.protocol).toBe('https:');
  const resumed = await fetch(new URL(resume.pathname + resume.search, api.url), {
    redirect: 'manual',
    headers: { cookie: cookieHeader([...cookies, ...cookiesOf(signedIn)]), ...https },
  });
  expect(resumed.status).toBe(303);
  const session = cookiesOf(resumed).find((line) => line.startsWith('__Host-gh_oauth_session='));
  expect(session).toBeDefined();
  expect(session).toMatch(/; path=\/;/i);
  expect(session).toMatch(/; secure/i);
});

test('the MCP endpoint refuses foreign Host and Origin headers and answers bad JSON with a JSON-RPC parse error', async () => {
  // node:http, because fetch will not send a Host header of our choosing.
  const call = (headers: Record<string, string>, body = '{}') =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; json: () => unknown }>((resolve, reject) => {
      const target = new URL(endpoint.replace(PUBLIC, api.url));
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, json: (): unknown => JSON.parse(text) }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  expect((await call({ host: 'gatehouse.example', origin: 'https://evil.example' })).status).toBe(403);
  expect((await call({ host: 'evil.example' })).status).toBe(403);
  const unauthorized = await call({ host: 'gatehouse.example', origin: PUBLIC });
  expect(unauthorized.status).toBe(401);
  expect(unauthorized.headers['www-authenticate']).toBe(
    `Bearer resource_metadata="${PUBLIC}/.well-known/oauth-protected-resource${new URL(endpoint).pathname}", scope="mcp:tools"`,
  );
  const malformed = await call({ host: 'gatehouse.example' }, '{"jsonrpc":');
  expect(malformed.status).toBe(400);
  expect(malformed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
});

test('the authorization server takes its URLs from PUBLIC_API_URL, never from forwarded headers', async () => {
  const spoofed = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
  const metadata = (await (
    await fetch(`${api.url}/.well-known/oauth-authorization-server/oauth`, { headers: spoofed })
  ).json()) as Record<string, unknown>;
  expect(metadata.issuer).toBe(`${PUBLIC}/oauth`);
  for (const key of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint'])
    expect(String(metadata[key])).toMatch(new RegExp(`^${PUBLIC}/oauth/`));
});
