/**
 * What a person and an admin see of MCP access afterwards: remembered consents the person can revoke (which
 * revokes the client's tokens), audited MCP requests, abuse limits on open registration, and secure cookies.
 */
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { oauthConsentList, auditPage } from '@gatehouse/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TestBrowser } from './browser.js';
import {
  accessTokenFor,
  adminCall,
  authorizationRequest,
  authorizeInBrowser,
  exchangeCode,
  PASSWORD,
  registerClient,
  signUp,
  tenantWithServer,
  type Member,
} from './oauth-flow.js';
import { testPrefix } from '@gatehouse/testing';
import { startApiProcess, type ApiProcess } from './stack.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

let api: ApiProcess;
let owner: Member;
let endpoint: string;
let tenant: string;

beforeAll(async () => {
  api = await startApiProcess();
  owner = await signUp(api.url, 'consent-owner');
  endpoint = await tenantWithServer(api.url, owner, 'consents');
  tenant = new URL(endpoint).pathname.split('/')[2]!;
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

/** One MCP `ping` with a bearer token: what its status says about the token. */
function ping(url: string, token: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
}

function mcpClient(token: string) {
  return new StreamableHTTPClientTransport(new URL(endpoint), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
}

test('every MCP request is audited with client, user, method, tool and outcome', async () => {
  const clientId = await registerClient(api.url, REDIRECT);
  const token = await accessTokenFor(api.url, clientId, REDIRECT, owner, endpoint);
  const client = new Client({ name: 'audit-e2e', version: '1.0.0' });
  await client.connect(mcpClient(token));
  await client.callTool({ name: 'test_simple_text', arguments: {} });
  await client.callTool({ name: 'test_error_handling', arguments: {} });
  await client.close();

  const page = auditPage.parse(
    await (await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${tenant}/audit?limit=50`)).json(),
  );
  const mcp = page.events.filter((event) => event.action === 'mcp.request');
  expect(mcp.map((event) => [event.metadata.method, event.metadata.tool ?? null, event.outcome])).toEqual(
    expect.arrayContaining([
      ['initialize', null, 'success'],
      ['tools/call', 'test_simple_text', 'success'],
      ['tools/call', 'test_error_handling', 'failure'],
    ]),
  );
  for (const event of mcp) {
    expect(event).toMatchObject({ actorType: 'user', actorId: owner.userId, targetType: 'mcp_server' });
    expect(event.metadata.clientId).toBe(clientId);
  }
  expect(JSON.stringify(page)).not.toContain(token);
  // The api logged these requests (with their headers redacted), never the token itself.
  const logs = api.process.output();
  expect(logs).toContain(new URL(endpoint).pathname);
  expect(logs).not.toContain(token);
}, 60_000);

test('a person lists the clients they allowed and revoking one revokes its tokens', async () => {
  const clientId = await registerClient(api.url, REDIRECT);
  const token = await accessTokenFor(api.url, clientId, REDIRECT, owner, endpoint);
  const before = oauthConsentList.parse(
    await (await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${tenant}/oauth-consents`)).json(),
  );
  const consent = before.consents.find((entry) => entry.clientId === clientId)!;
  expect(consent).toMatchObject({ resource: endpoint, scopes: ['mcp:tools'], clientName: 'e2e' });

  const client = new Client({ name: 'consent-e2e', version: '1.0.0' });
  await client.connect(mcpClient(token));
  await client.close();

  const revoked = await adminCall(api.url, owner, 'DELETE', `/api/v1/tenants/${tenant}/oauth-consents/${consent.id}`);
  expect(revoked.status).toBe(204);
  const after = await ping(endpoint, token);
  expect(after.status).toBe(401);
  expect(
    (await adminCall(api.url, owner, 'DELETE', `/api/v1/tenants/${tenant}/oauth-consents/${consent.id}`)).status,
  ).toBe(404);

  // Another member cannot see or revoke someone else's consent.
  const stranger = await signUp(api.url, 'stranger');
  expect((await adminCall(api.url, stranger, 'GET', `/api/v1/tenants/${tenant}/oauth-consents`)).status).toBe(404);
}, 60_000);

test('deleting a server revokes its tokens: a server re-created at the same address does not honour them', async () => {
  const other = await tenantWithServer(api.url, owner, 'recreate');
  const slug = new URL(other).pathname.split('/')[2]!;
  const token = await accessTokenFor(api.url, await registerClient(api.url, REDIRECT), REDIRECT, owner, other);
  expect((await ping(other, token)).status).toBe(200);
  expect((await adminCall(api.url, owner, 'DELETE', `/api/v1/tenants/${slug}/mcp-servers/everything`)).status).toBe(
    204,
  );
  const again = await adminCall(api.url, owner, 'POST', `/api/v1/tenants/${slug}/mcp-servers`, {
    slug: 'everything',
    title: 'Everything again',
    toolkits: ['conformance'],
  });
  expect(again.status).toBe(201);
  expect((await ping(other, token)).status).toBe(401);
}, 60_000);

test("one client authorized in one browser for two tenants' servers: deleting one server, or revoking its consent, leaves the other's token working", async () => {
  const first = await tenantWithServer(api.url, owner, 'shared-a');
  const second = await tenantWithServer(api.url, owner, 'shared-b');
  const clientId = await registerClient(api.url, REDIRECT);
  // One sign-in session, so the authorization server keeps one grant for the client covering both servers.
  const browser = new TestBrowser();
  const tokenAt = async (resource: string) => {
    const request = authorizationRequest(api.url, clientId, REDIRECT, resource);
    const callback = await authorizeInBrowser(browser, request.url, { email: owner.email, password: PASSWORD });
    return exchangeCode(api.url, { clientId, redirectUri: REDIRECT, resource, verifier: request.verifier }, callback);
  };
  const [firstToken, secondToken] = [await tokenAt(first), await tokenAt(second)];
  const third = await tenantWithServer(api.url, owner, 'shared-c');
  const thirdToken = await tokenAt(third);
  for (const [url, token] of [
    [first, firstToken],
    [second, secondToken],
    [third, thirdToken],
  ] as const)
    expect((await ping(url, token)).status).toBe(200);

  const firstSlug = new URL(first).pathname.split('/')[2]!;
  expect(
    (await adminCall(api.url, owner, 'DELETE', `/api/v1/tenants/${firstSlug}/mcp-servers/everything`)).status,
  ).toBe(204);
  expect((await ping(first, firstToken)).status).toBe(404);
  expect((await ping(second, secondToken)).status).toBe(200);
  expect((await ping(third, thirdToken)).status).toBe(200);

  // The person revokes their consent for the second server: its token ends, the third's does not.
  const secondSlug = new URL(second).pathname.split('/')[2]!;
  const consents = oauthConsentList.parse(
    await (await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${secondSlug}/oauth-consents`)).json(),
  );
  const consent = consents.consents.find((item) => item.clientId === clientId)!;
  expect(
    (await adminCall(api.url, owner, 'DELETE', `/api/v1/tenants/${secondSlug}/oauth-consents/${consent.id}`)).status,
  ).toBe(204);
  expect((await ping(second, secondToken)).status).toBe(401);
  expect((await ping(third, thirdToken)).status).toBe(200);
}, 60_000);

test('open client registration is limited per address and in size', async () => {
  const tooMany = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:9/cb${i}`) }),
  });
  expect(tooMany.status).toBe(400);
  expect(await tooMany.json()).toMatchObject({ error: 'invalid_redirect_uri' });
  // The library routes /REG/ like /reg: the limits apply there too.
  const disguised = await fetch(`${api.url}/oauth/REG/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: Array.from({ length: 11 }, (_, i) => `http://127.0.0.1:9/cb${i}`) }),
  });
  expect(disguised.status).toBe(400);
  // No RP-initiated logout: with open registration its post-logout redirect would be an open redirect.
  expect((await fetch(`${api.url}/oauth/session/end`, { redirect: 'manual' })).status).toBe(404);

  // An api with a Redis namespace of its own, so no other test's registrations count against this budget.
  const limited = await startApiProcess({
    OAUTH_REGISTRATIONS_PER_HOUR: '5',
    OAUTH_AUTHORIZATIONS_PER_MINUTE: '3',
    QUEUE_PREFIX: `${testPrefix()}-dcr`,
  });
  try {
    await exhaustRegistrations(limited.url);
    // Anonymous authorization requests have a budget per address too (each one writes an interaction).
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++)
      statuses.push((await fetch(`${limited.url}/oauth/auth?client_id=x`, { redirect: 'manual' })).status);
    expect(statuses.slice(0, 3).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Fetching a Client ID Metadata Document it does not hold takes from the same budget, whichever endpoint named
    // the client: once spent, the token endpoint fetches no document either (nothing even connects).
    let connections = 0;
    const documentHost = createNetServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => documentHost.listen(0, '127.0.0.1', resolve));
    try {
      const port = (documentHost.address() as AddressInfo).port;
      for (let attempt = 0; attempt < 3; attempt++) {
        const token = await fetch(`${limited.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: 'x',
            client_id: `https://127.0.0.1:${port}/client-${attempt}.json`,
            redirect_uri: REDIRECT,
            code_verifier: 'v'.repeat(43),
          }),
        });
        expect(await token.json()).toMatchObject({ error: 'invalid_client' });
      }
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => documentHost.close(resolve));
    }
  } finally {
    await limited.stop();
  }
}, 60_000);

async function exhaustRegistrations(apiUrl: string) {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const response = await fetch(`${apiUrl}/oauth/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    statuses.push(response.status);
    if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  expect(statuses.at(-1)).toBe(429);
  expect(statuses.filter((status) => status === 201).length).toBeLessThanOrEqual(5);
}
