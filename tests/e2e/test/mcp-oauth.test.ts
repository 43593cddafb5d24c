import type { Server } from 'node:https';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { TestBrowser } from './browser.js';
import { makeLocalCa, serveDocuments, type LocalCa } from './local-tls.js';
import {
  authorizationRequest,
  authorizeInBrowser,
  PASSWORD,
  signUp,
  tenantWithServer,
  TestOAuthClient,
  type Member,
} from './oauth-flow.js';
import { startApiProcess, type ApiProcess } from './stack.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

let api: ApiProcess;
let ca: LocalCa;
let documents: { origin: string; hits: Map<string, number>; server: Server };
/** Whether `/fleeting.json` has gone (its host answers 404). */
let fleetingGone = false;
let owner: Member;
let endpoint: string;

beforeAll(async () => {
  ca = makeLocalCa();
  const document = (id: string) => ({
    client_id: id,
    client_name: 'CIMD e2e client',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  documents = await serveDocuments(
    ca,
    (origin) => ({
      '/client.json': document(`${origin}/client.json`),
      '/lasting.json': document(`${origin}/lasting.json`),
      ...(fleetingGone ? {} : { '/fleeting.json': document(`${origin}/fleeting.json`) }),
    }),
    // The shortest an authorization server keeps them.
    30,
  );
  api = await startApiProcess({ NODE_EXTRA_CA_CERTS: ca.caFile });
  owner = await signUp(api.url, 'owner');
  endpoint = await tenantWithServer(api.url, owner, 'acme');
}, 60_000);

afterAll(async () => {
  await api?.stop();
  if (documents) await new Promise((resolve) => documents.server.close(resolve));
});

/** The whole flow as an MCP client does it: 401 → discovery → registration → browser → token → MCP calls. */
async function connectWithOAuth(oauth: TestOAuthClient, steps: string[] = []) {
  const browser = new TestBrowser();
  const first = new StreamableHTTPClientTransport(new URL(endpoint), { authProvider: oauth });
  await expect(new Client({ name: 'e2e', version: '1.0.0' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(oauth.authorizationUrl).toBeDefined();
  const callback = await authorizeInBrowser(
    browser,
    oauth.authorizationUrl!.toString(),
    { email: owner.email, password: PASSWORD },
    steps,
  );
  expect(callback.origin + callback.pathname).toBe(REDIRECT);
  expect(callback.searchParams.get('iss')).toBe(`${api.url}/oauth`);
  expect(callback.searchParams.get('state')).toBe(oauth.authorizationUrl!.searchParams.get('state'));
  await first.finishAuth(callback.searchParams.get('code')!);
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { authProvider: oauth }));
  return client;
}

test('an MCP client registers dynamically (RFC 7591), signs the person in, gets consent and calls tools', async () => {
  const oauth = new TestOAuthClient(REDIRECT);
  const steps: string[] = [];
  const client = await connectWithOAuth(oauth, steps);
  expect(steps).toEqual(['login', 'consent']);
  expect(oauth.clientInformation()?.client_id).toBeDefined();
  expect(oauth.tokens()?.refresh_token).toBeDefined();

  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain('test_simple_text');
  const result = await client.callTool({ name: 'test_simple_text', arguments: {} });
  expect(result.content).toEqual([expect.objectContaining({ type: 'text' })]);
  await client.close();

  // Consent is remembered for this client: a second authorization asks only for the sign-in.
  const again: string[] = [];
  const second = new TestOAuthClient(REDIRECT);
  second.saveClientInformation(oauth.clientInformation()!);
  await (await connectWithOAuth(second, again)).close();
  expect(again).toEqual(['login']);
}, 60_000);

test('an MCP client identified by a Client ID Metadata Document URL completes the same flow', async () => {
  const clientId = `${documents.origin}/client.json`;
  const oauth = new TestOAuthClient(REDIRECT, clientId);
  const client = await connectWithOAuth(oauth);
  expect(oauth.clientInformation()?.client_id).toBe(clientId);
  expect(documents.hits.get('/client.json')).toBeGreaterThanOrEqual(1);
  const result = await client.callTool({ name: 'test_simple_text', arguments: {} });
  expect(result.isError).toBeFalsy();
  await client.close();
}, 60_000);

test('a remembered consent never answers prompt=consent, nor a request to redirect to this machine with no page shown (its id is public)', async () => {
  const register = async (metadata: Record<string, unknown>, redirect: string) => {
    const response = await fetch(`${api.url}/oauth/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [redirect], token_endpoint_auth_method: 'none', ...metadata }),
    });
    expect(response.status).toBe(201);
    return String(((await response.json()) as { client_id: string }).client_id);
  };
  const browser = new TestBrowser();
  const person = { email: owner.email, password: PASSWORD };
  const authorize = async (clientId: string, redirect: string, extra: Record<string, string> = {}) => {
    const request = new URL(authorizationRequest(api.url, clientId, redirect, endpoint).url);
    for (const [key, value] of Object.entries(extra)) request.searchParams.set(key, value);
    const steps: string[] = [];
    const callback = await authorizeInBrowser(browser, request.toString(), person, steps);
    expect(callback.searchParams.get('code')).toBeTruthy();
    return steps;
  };

  // A client served from the web (an https redirect only it receives).
  const hosted = 'https://client.example/callback';
  const web = await register({ client_name: 'web e2e' }, hosted);
  expect(await authorize(web, hosted)).toEqual(['login', 'consent']);
  // Remembered: signed in and consented, the browser goes straight back to the client…
  expect(await authorize(web, hosted)).toEqual([]);
  // …unless the client asks for the consent page.
  expect(await authorize(web, hosted, { prompt: 'consent' })).toEqual(['consent']);

  // A native app (loopback redirect): whoever presents its id gets a code, so the person is asked every time.
  const native = await register({ client_name: 'native e2e', application_type: 'native' }, REDIRECT);
  expect(await authorize(native, REDIRECT)).toEqual(['consent']);
  expect(await authorize(native, REDIRECT)).toEqual(['consent']);
  // The same for a loopback redirect registered as MCP clients register (no application_type: "web"): a program on
  // the person's machine holding that port would otherwise get a code with no page shown at all.
  const local = await register({ client_name: 'loopback e2e' }, REDIRECT);
  expect(await authorize(local, REDIRECT)).toEqual(['consent']);
  expect(await authorize(local, REDIRECT)).toEqual(['consent']);
}, 60_000);

test("a sign-in page opened after its client's metadata document was last read: read again, or 400 if it is gone", async () => {
  const begin = async (name: string) => {
    const browser = new TestBrowser();
    const clientId = `${documents.origin}/${name}.json`;
    const started = await browser.follow(authorizationRequest(api.url, clientId, REDIRECT, endpoint).url, api.url);
    expect(started).toMatchObject({ status: 200 });
    return { browser, page: (started as { url: string }).url };
  };
  const [lasting, fleeting] = [await begin('lasting'), await begin('fleeting')];
  // Each document is read again once its 30 s are up; by then one host still serves it, the other refuses.
  fleetingGone = true;
  await new Promise((resolve) => setTimeout(resolve, 31_000));
  const served = await lasting.browser.follow(lasting.page, api.url);
  expect(served).toMatchObject({ status: 200 });
  expect((served as { html: string }).html).not.toContain('could not be read');
  const gone = await fleeting.browser.follow(fleeting.page, api.url);
  expect(gone).toMatchObject({ status: 400 });
  expect((gone as { html: string }).html).toContain('could not be read');
}, 60_000);
