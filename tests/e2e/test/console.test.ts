/**
 * The admin console in Chromium against the running stack (api, worker, web, demo provider as processes, the run's
 * own database): a newcomer signs up and creates a tenant, configures the demo provider, invites a member who
 * accepts and connects the demo provider through its real consent page; the admin creates an MCP server with the
 * demo toolkit; an MCP SDK client calls a tool as the member; the call shows in the audit table and the usage chart.
 * Every page is screenshotted (tests/e2e/artifacts/console) and checked with axe-core.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '@gatehouse/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, capture, launchChromium } from './console-browser.js';
import { authorizationRequest, exchangeCode, PASSWORD, registerClient, type Member } from './oauth-flow.js';
import {
  startApiProcess,
  startDemoProviderProcess,
  startWorkerProcess,
  type ApiProcess,
  type DemoProviderProcess,
  type WorkerProcess,
} from './stack.js';
import { startWebProcess, type WebProcess } from './web-process.js';

const CLIENT_ID = 'gatehouse-console-e2e';
const CLIENT_SECRET = 'console-e2e-demo-client-secret-0123';
const REDIRECT = 'http://127.0.0.1:9/callback';

let api: ApiProcess;
let worker: WorkerProcess;
let web: WebProcess;
let provider: DemoProviderProcess;
let browser: Browser;
let adminContext: BrowserContext;
let memberContext: BrowserContext;
let admin: Page;
let member: Page;

const run = randomUUID().slice(0, 6);
const slug = `console-${run}`;
const adminEmail = `admin-${run}@example.com`;
const memberEmail = `member-${run}@example.com`;
let endpoint = '';
/** The member's MCP access token for `endpoint`. */
let token = '';

beforeAll(async () => {
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // The console on another host name than the api (localhost vs 127.0.0.1): its session cookie never reaches the api
  // directly, as in a deployment with separate host names — the provider's callback must find it all the same.
  const webUrl = `http://localhost:${webPort}`;
  provider = await startDemoProviderProcess([
    { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${apiUrl}/api/v1/connections/callback`] },
  ]);
  [api, worker, web, browser] = await Promise.all([
    startApiProcess({ PUBLIC_WEB_URL: webUrl }, apiPort),
    startWorkerProcess({ PUBLIC_API_URL: apiUrl }),
    startWebProcess(apiUrl, webPort, webUrl),
    launchChromium(),
  ]);
  // One browser; each person has their own context (cookie jar), reused across the steps.
  adminContext = await browser.newContext({ baseURL: web.url, viewport: { width: 1280, height: 800 } });
  memberContext = await browser.newContext({ baseURL: web.url, viewport: { width: 390, height: 844 } });
  admin = await adminContext.newPage();
  member = await memberContext.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([web?.stop(), api?.stop(), worker?.stop(), provider?.stop()]);
});

/** Calls a tool through the MCP endpoint as the member (with the access token their client obtained). */
async function callTool(name: string): Promise<CallToolResult> {
  const client = new Client({ name: 'console-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    return (await client.callTool({ name, arguments: {} })) as CallToolResult;
  } finally {
    await client.close();
  }
}

/** The person signed in in `context`, as the OAuth helpers know people. */
async function memberOf(context: BrowserContext, email: string): Promise<Member> {
  const cookie = (await context.cookies()).find((candidate) => candidate.name === 'gh_session')!;
  const session = (await (await context.request.get('/api/v1/auth/session')).json()) as {
    csrfToken: string;
    user: { id: string };
  };
  return { email, cookie: `${cookie.name}=${cookie.value}`, csrf: session.csrfToken, userId: session.user.id };
}

test('a newcomer signs up and creates a tenant', async () => {
  const refusedByPolicy: string[] = [];
  admin.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
  });
  const welcome = await admin.goto('/');
  // Scripts run only with this page view's nonce: Next's own carry it, anything slipped into the markup would not.
  const policy = welcome!.headers()['content-security-policy'] ?? '';
  const nonce = /script-src 'self' 'nonce-([^']+)' 'strict-dynamic'/.exec(policy)?.[1];
  expect(nonce).toBeDefined();
  expect(policy).toContain("object-src 'none'");
  expect(policy).toContain("form-action 'self'");
  // Every script the server sent carries it (those Next adds later are trusted through 'strict-dynamic').
  const sent = await admin.locator('script').evaluateAll((elements) =>
    elements.map((element) => {
      const script = element as unknown as { nonce: string; src: string; text: string };
      return { nonce: script.nonce, what: script.src || script.text.slice(0, 60) };
    }),
  );
  const inline = sent.filter((script) => !script.what.startsWith('http'));
  expect(inline.length).toBeGreaterThan(0);
  expect(inline.filter((script) => script.nonce !== nonce)).toEqual([]);
  const again = await admin.request.get('/');
  expect(again.headers()['content-security-policy']).not.toContain(nonce);
  await capture(admin, '01-welcome');
  await admin.getByRole('link', { name: 'Sign up' }).first().click();
  await admin.getByLabel('Your name').fill('Ada Admin');
  await admin.getByLabel('Email').fill(adminEmail);
  await admin.getByLabel('Password').fill(PASSWORD);
  await capture(admin, '02-sign-up');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await admin.getByRole('heading', { name: 'Your tenants' }).waitFor();
  await admin.getByText('You are not a member of any tenant yet').waitFor();
  await capture(admin, '03-no-tenants');

  await admin.getByRole('link', { name: 'Create a tenant' }).click();
  await admin.getByLabel('Organisation name').fill(`Console ${run}`);
  await admin.getByLabel('Address (slug)').fill(slug);
  await capture(admin, '04-create-tenant');
  await admin.getByRole('button', { name: 'Create tenant' }).click();
  await admin.waitForURL(`**/t/${slug}/connections`);
  expect(await admin.getByTestId('current-tenant').textContent()).toBe(`Console ${run}`);
  await admin.getByText('No provider is set up in this tenant yet').waitFor();
  await capture(admin, '05-connections-empty');
  // The pages worked under the policy, and it refused nothing of theirs.
  expect(refusedByPolicy).toEqual([]);
});

test('signing in from a deep link comes back to that page, query and all', async () => {
  const visitor = await browser.newContext();
  try {
    const page = await visitor.newPage();
    await page.goto(`${web.url}/t/${slug}/audit?action=tool.call`);
    await page.waitForURL('**/sign-in?**');
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/t/${slug}/audit?action=tool.call`);
  } finally {
    await visitor.close();
  }
});

test("the console's api forwarder reads no more than the api would take, before any check", async () => {
  const tooLarge = await fetch(`${web.url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) }),
  });
  expect(tooLarge.status).toBe(413);
  expect(await tooLarge.json()).toMatchObject({ code: 'payload_too_large' });
  // Streamed without a length, it is cut off all the same.
  const chunk = new Uint8Array(256 * 1024).fill(0x20);
  let sent = 0;
  const streamed = await fetch(`${web.url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    duplex: 'half',
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64) controller.close();
        else controller.enqueue(chunk);
        sent += 1;
      },
    }),
  });
  expect(streamed.status).toBe(413);
  expect(sent).toBeLessThan(64);
  // An api page reached through it (the connect callback, when the console has its own host) keeps its own policy.
  const page = await fetch(`${web.url}/api/v1/connections/callback?state=${'A'.repeat(43)}&via=console`);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(page.headers.get('x-frame-options')).toBe('DENY');
});

test('a taken slug is explained in plain language', async () => {
  await admin.goto('/tenants/new');
  await admin.getByLabel('Organisation name').fill('Again');
  await admin.getByLabel('Address (slug)').fill(slug);
  await admin.getByRole('button', { name: 'Create tenant' }).click();
  // (Next's route announcer is an empty alert of its own.)
  const alert = admin.locator('p[role="alert"]');
  await alert.waitFor();
  expect(await alert.textContent()).toMatch(/taken|exists|already/i);
});

test('the admin configures the demo provider, seeing the redirect URI to register', async () => {
  await admin.goto(`/t/${slug}/providers?provider=demo`);
  expect(await admin.getByTestId('redirect-uri').textContent()).toBe(`${api.url}/api/v1/connections/callback`);
  await admin.getByLabel('Client ID').fill(CLIENT_ID);
  await admin.getByLabel('Client secret').fill(CLIENT_SECRET);
  await admin.getByLabel('Allowed scopes').fill('notes:read notes:write');
  await admin.getByLabel('baseUrl').fill(provider.url);
  await admin.getByRole('button', { name: 'Configure' }).click();
  await admin.getByRole('status').filter({ hasText: 'is configured' }).waitFor();
  await admin.getByRole('cell', { name: CLIENT_ID, exact: true }).waitFor();
  await capture(admin, '06-providers');
});

test('the admin invites a member, who signs up from the link and accepts', async () => {
  await admin.goto(`/t/${slug}/members`);
  await admin.getByLabel('Email').fill(memberEmail);
  await admin.getByRole('button', { name: 'Invite' }).click();
  const link = (await admin.getByTestId('invitation-link').locator('code').textContent())!;
  expect(link).toMatch(new RegExp(`^${web.url}/invitations/${slug}/`));
  await admin.getByRole('cell', { name: memberEmail, exact: true }).waitFor();
  await capture(admin, '07-members');

  await member.goto(link);
  await capture(member, '08-invitation-signed-out');
  await member.getByRole('link', { name: 'Create an account' }).click();
  await member.getByLabel('Your name').fill('Max Member');
  await member.getByLabel('Email').fill(memberEmail);
  await member.getByLabel('Password').fill(PASSWORD);
  await member.getByRole('button', { name: 'Create account' }).click();
  await member.getByRole('button', { name: 'Accept invitation' }).waitFor();
  await capture(member, '09-invitation');
  await member.getByRole('button', { name: 'Accept invitation' }).click();
  await member.waitForURL(`**/t/${slug}/connections`);

  await admin.reload();
  await admin.getByRole('cell', { name: memberEmail, exact: true }).first().waitFor();
  await admin.getByText('No pending invitations.').waitFor();
});

test('the member connects the demo provider through its consent page', async () => {
  await member.getByRole('button', { name: 'Connect Gatehouse Demo' }).click();
  await member.waitForURL(`${provider.url}/**`);
  await member.locator('input[name="username"]').fill('max');
  await member.getByRole('button', { name: 'Approve' }).click();
  await member.waitForURL(`**/t/${slug}/connections?connected=demo`);
  const row = member.getByTestId('connection-demo');
  await row.waitFor();
  expect(await row.textContent()).toContain('active');
  expect(await row.textContent()).toContain('notes:read');
  await capture(member, '10-connections-phone');
});

test('a member sees no admin sections, gets "Not allowed" for an admin URL, and the api refuses', async () => {
  const nav = member.getByRole('navigation', { name: 'Tenant' });
  expect(await nav.getByRole('link').allTextContents()).toEqual([
    'My connections',
    'MCP servers',
    'Authorized clients',
  ]);
  for (const section of ['members', 'api-keys', 'providers', 'audit', 'usage']) {
    await member.goto(`/t/${slug}/${section}`);
    await member.getByTestId('not-allowed').waitFor();
  }
  await capture(member, '11-not-allowed');
  const csrf = (await memberOf(memberContext, memberEmail)).csrf;
  const refused = await memberContext.request.post(`/api/v1/tenants/${slug}/invitations`, {
    headers: { 'x-csrf-token': csrf, origin: web.url },
    data: { email: 'someone@example.com', role: 'admin' },
  });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { code: string }).code).toBe('forbidden');
});

test('the admin creates an MCP server with the demo toolkit and gets client configurations', async () => {
  await admin.goto(`/t/${slug}/servers`);
  await admin.getByText('No MCP server yet').waitFor();
  await admin.getByLabel('Slug').fill('notes');
  await admin.getByLabel('Title').fill('Notes');
  await admin.getByLabel(/Every tool of .*Demo/).check();
  await capture(admin, '12-servers-new');
  await admin.getByRole('button', { name: 'Create server' }).click();
  await admin.waitForURL(`**/t/${slug}/servers/notes`);
  endpoint = (await admin.getByTestId('server-endpoint').textContent())!;
  expect(endpoint).toBe(`${api.url}/t/${slug}/mcp/notes`);
  for (const client of ['Claude Desktop', 'Cursor', 'VS Code'])
    expect(await admin.getByLabel(`${client} configuration`).textContent()).toContain(endpoint);
  await capture(admin, '13-server');
});

test('two admins edit one server: the first save (and the next ones) go through, the stale one is refused and says why', async () => {
  const stale = await adminContext.newPage();
  try {
    await stale.goto(`/t/${slug}/servers/notes`);
    await admin.reload();
    const title = (page: Page) => page.getByLabel('Title', { exact: true });
    await title(admin).fill('Notes (first)');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByRole('status').getByText('Saved.').waitFor();
    // Saving again from the same page is on the revision the first save returned.
    await title(admin).fill('Notes');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByRole('status').getByText('Saved.').waitFor();
    // The other tab still shows what was loaded before: its save would overwrite both changes.
    await title(stale).fill('Notes (stale)');
    await stale.getByRole('button', { name: 'Save changes' }).click();
    await stale.getByText(/changed since you loaded it/).waitFor();
    // Through the console's forwarder, with the admin's session.
    const saved = await admin.request.get(`/api/v1/tenants/${slug}/mcp-servers/notes`);
    expect(((await saved.json()) as { title: string }).title).toBe('Notes');
  } finally {
    await stale.close();
  }
});

test("an MCP client's sign-in and consent pages work in a real browser; the client then calls a demo tool as the member, and the call shows in audit and usage", async () => {
  // As a desktop client does: it opens the authorization URL in the person's browser (not signed in to Gatehouse
  // there) and waits for the redirect to its own address, which the browser never actually reaches here.
  const clientId = await registerClient(api.url, REDIRECT);
  const { url, verifier } = authorizationRequest(api.url, clientId, REDIRECT, endpoint);
  const signIn = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  try {
    const page = await signIn.newPage();
    const callback = new Promise<URL>((resolve) => {
      void page.route(`${new URL(REDIRECT).origin}/**`, async (route) => {
        resolve(new URL(route.request().url()));
        await route.fulfill({ status: 200, contentType: 'text/plain', body: 'Back in the application.' });
      });
    });
    await page.goto(url);
    await page.getByLabel('Email').fill(memberEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.screenshot({ path: join(ARTIFACTS, '14a-mcp-sign-in.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '14b-mcp-consent.png') });
    await page.getByRole('button', { name: 'Allow' }).click();
    const back = await callback;
    expect(back.searchParams.get('error')).toBeNull();
    token = await exchangeCode(api.url, { clientId, redirectUri: REDIRECT, resource: endpoint, verifier }, back);
  } finally {
    await signIn.close();
  }
  expect((await callTool('demo.list_notes')).isError).toBeFalsy();

  await admin.goto(`/t/${slug}/audit?tool=demo.list_notes`);
  const table = admin.getByTestId('audit-table');
  await table.waitFor();
  const rows = table.locator('tbody tr');
  expect(await rows.count()).toBe(1);
  expect(await rows.first().textContent()).toContain('tool.call');
  expect(await rows.first().textContent()).toContain(memberEmail);
  await rows
    .first()
    .getByText(/^Event \d+$/)
    .click();
  expect(await rows.first().locator('pre').textContent()).toContain('"result": "succeeded"');
  await capture(admin, '14-audit-filtered');
  // The client shown on the event filters by that client.
  await rows
    .first()
    .getByRole('link', { name: /^Only events of client/ })
    .click();
  await admin.waitForURL(/[?&]client=/);
  expect(await admin.getByTestId('audit-table').locator('tbody tr').count()).toBe(1);
  await admin.getByRole('link', { name: 'Verify the hash chain' }).click();
  await expect(admin.getByTestId('chain-status').textContent()).resolves.toMatch(
    /^Chain intact: \d+ events checked — head /,
  );
  // The head to keep elsewhere, as a checkpoint for a later verify.
  await expect(admin.getByTestId('chain-head').textContent()).resolves.toMatch(/^\d+:[0-9a-f]{64}$/);
  const csv = await adminContext.request.get(
    (await admin.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!,
  );
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('demo.list_notes');
  await capture(admin, '15-audit-verified');

  await admin.goto(`/t/${slug}/usage`);
  expect(await admin.getByTestId('usage-total').textContent()).toBe('1');
  await admin.getByTestId('usage-chart').locator('canvas').waitFor();
  await admin.getByTestId('latency-chart').locator('canvas').waitFor();
  expect(await admin.getByTestId('usage-by-tool').textContent()).toContain('demo.list_notes');
  await capture(admin, '16-usage');
});

test('a connection the provider stops accepting is highlighted until the member reconnects', async () => {
  await provider.admin('POST', '/admin/expire-tokens');
  await provider.admin('POST', '/admin/fail-refresh', { enabled: true });
  try {
    const result = await callTool('demo.list_notes');
    expect(result.isError).toBe(true);
  } finally {
    await provider.admin('POST', '/admin/fail-refresh', { enabled: false });
  }
  await member.goto(`/t/${slug}/connections`);
  const row = member.getByTestId('connection-demo');
  expect(await row.getAttribute('class')).toBe('needs-reauth');
  expect(await row.textContent()).toContain('Needs reconnecting');
  await capture(member, '17-connection-needs-reauth-phone');

  await member.getByRole('button', { name: 'Reconnect Gatehouse Demo' }).click();
  await member.waitForURL(`${provider.url}/**`);
  await member.getByRole('button', { name: 'Approve' }).click();
  await member.waitForURL(`**/t/${slug}/connections?connected=demo`);
  expect(await member.getByTestId('connection-demo').textContent()).toContain('active');
  expect((await callTool('demo.list_notes')).isError).toBeFalsy();
});

test('an MCP client asks the member to connect: the console page says who asks; after Connect the retry works', async () => {
  await member.goto(`/t/${slug}/connections`);
  member.once('dialog', (dialog) => void dialog.accept());
  await member.getByRole('button', { name: 'Disconnect' }).click();
  await member.getByText('You have not connected any account yet.').waitFor();
  // What happened stays said after the row is gone (the demo provider revokes the grant).
  expect(await member.getByTestId('disconnected-banner').textContent()).toBe(
    'Disconnected Gatehouse Demo; it revoked Gatehouse’s access too.',
  );

  const client = new Client({ name: 'console-e2e', version: '1.0.0' }, { capabilities: { elicitation: { url: {} } } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  try {
    const refused = await client.callTool({ name: 'demo.list_notes', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32042);
    const [elicitation] = ((refused as McpError).data as { elicitations: { url: string }[] }).elicitations;
    expect(elicitation!.url.startsWith(`${web.url}/connect/${slug}/demo?`)).toBe(true);

    await member.goto(elicitation!.url);
    await member.getByRole('heading', { level: 1, name: 'Connect Gatehouse Demo' }).waitFor();
    // The client registered itself as "e2e" (registerClient); the page names it, the provider and the scopes.
    expect(await member.getByTestId('client-name').textContent()).toBe('e2e');
    expect(await member.getByTestId('connect-request').textContent()).toContain('Gatehouse Demo');
    expect(await member.locator('main').getByRole('listitem').allTextContents()).toEqual(['notes:read']);
    expect(await member.getByTestId('connection-status').textContent()).toBe('Not connected.');
    await capture(member, '18-connect-request-phone');

    await member.getByRole('button', { name: 'Connect Gatehouse Demo' }).click();
    await member.waitForURL(`${provider.url}/**`);
    await member.getByRole('button', { name: 'Approve' }).click();
    await member.waitForURL(`**/connect/${slug}/demo?connected=demo`);
    await member.getByRole('heading', { name: 'Connected — you can return to your AI client' }).waitFor();

    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
  } finally {
    await client.close();
  }
});

test('the member sees the client they authorized and can revoke it', async () => {
  await member.goto(`/t/${slug}/clients`);
  await member.getByRole('cell', { name: endpoint, exact: true }).waitFor();
  await capture(member, '19-clients-phone');
  member.once('dialog', (dialog) => void dialog.accept());
  await member.getByRole('button', { name: /^Revoke access of/ }).click();
  await member.getByText('You have not authorized any client yet.').waitFor();
});

test('the admin creates an API key whose secret is shown once', async () => {
  await admin.goto(`/t/${slug}/api-keys`);
  await admin.getByText('No API keys yet.').waitFor();
  await admin.getByLabel('Name').fill('ci');
  await admin.getByLabel('audit:read').check();
  await admin.getByRole('button', { name: 'Create key' }).click();
  const key = (await admin.getByTestId('api-key-secret').locator('code').textContent())!;
  expect(key).toMatch(/^ghk_/);
  await capture(admin, '20-api-keys');
  const audit = await fetch(`${api.url}/api/v1/tenants/${slug}/audit?limit=1`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(audit.status).toBe(200);
  await admin.reload();
  expect(await admin.content()).not.toContain(key);
});

test('dark mode follows the system and the toggle, and pages stay accessible in it', async () => {
  const dark = await browser.newContext({
    baseURL: web.url,
    colorScheme: 'dark',
    viewport: { width: 1280, height: 800 },
  });
  try {
    await dark.addCookies((await adminContext.cookies()).filter((cookie) => cookie.name === 'gh_session'));
    const page = await dark.newPage();
    await page.goto(`/t/${slug}/servers/notes`);
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(await background()).toBe('rgb(15, 17, 21)');
    await capture(page, '21-server-dark');
    await page.getByRole('button', { name: /Change theme/ }).click();
    expect(await background()).toBe('rgb(247, 247, 248)');
    await page.reload();
    expect(await background()).toBe('rgb(247, 247, 248)');
  } finally {
    await dark.close();
  }
});
