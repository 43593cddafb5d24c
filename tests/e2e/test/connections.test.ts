/**
 * Per-person connections end to end: the built api and the demo provider as real processes, a test browser holding
 * a console session that follows the real redirects and approves at the provider, the connections service reading
 * tokens from the same PostgreSQL, Redis and vault — in this process and in two more, for the refresh race.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AuditLog } from '@gatehouse/audit';
import { ConnectionService, OutboundHttp, type TokenResult } from '@gatehouse/connections';
import { connectionList, disconnectResponse, problemDetails, startConnectionResponse } from '@gatehouse/contracts';
import {
  AuditRepository,
  createDatabase,
  DataKeyRepository,
  SecretRepository,
  withTenant,
  type Database,
} from '@gatehouse/db';
import {
  freePort,
  startProcess,
  testAppDatabaseUrl,
  testPrefix,
  testRedisUrl,
  testVaultKeys,
  testDatabaseUrl,
  waitFor,
} from '@gatehouse/testing';
import { LocalKeyring, Vault } from '@gatehouse/vault';
import { Redis } from 'ioredis';
import { TestBrowser, formField } from './browser.js';
import { approveAtProvider, browserOf } from './connect-flow.js';
import { adminCall, signUp, type Member } from './oauth-flow.js';
import {
  repoRoot,
  startApiProcess,
  startDemoProviderProcess,
  type ApiProcess,
  type DemoProviderProcess,
} from './stack.js';

const CLIENT_ID = 'gatehouse-e2e';
const CLIENT_SECRET = 'e2e-demo-client-secret-0123456789';

let api: ApiProcess;
/** A second api whose connect flows expire after 2 seconds. */
let shortApi: ApiProcess;
let provider: DemoProviderProcess;
let app: Database;
let owner: Database;
let redis: Redis;
let http: OutboundHttp;
let service: ConnectionService;
let alice: Member;
let bob: Member;
let tenant: { id: string; slug: string };

beforeAll(async () => {
  const [apiPort, shortPort] = [await freePort(), await freePort()];
  const callback = (port: number) => `http://127.0.0.1:${port}/api/v1/connections/callback`;
  provider = await startDemoProviderProcess([
    { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [callback(apiPort), callback(shortPort)] },
  ]);
  [api, shortApi] = await Promise.all([
    startApiProcess({}, apiPort),
    startApiProcess({ CONNECT_STATE_TTL: '2' }, shortPort),
  ]);
  app = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 5 });
  owner = createDatabase({ url: testDatabaseUrl(), maxConnections: 2 });
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  http = new OutboundHttp({ allowLoopback: true });
  service = new ConnectionService(
    app,
    new Vault(LocalKeyring.parse(testVaultKeys()), new DataKeyRepository(app), new SecretRepository(app)),
    new AuditLog(new AuditRepository(app)),
    redis,
    http,
    { prefix: testPrefix(), publicApiUrl: api.url },
  );

  alice = await signUp(api.url, 'alice');
  bob = await signUp(api.url, 'bob');
  const slug = `conn-${randomUUID().slice(0, 6)}`;
  const created = await adminCall(api.url, alice, 'POST', '/api/v1/tenants', { slug, name: 'Connections' });
  const body = (await created.json()) as { id: string };
  tenant = { id: body.id, slug };
  const configured = await adminCall(api.url, alice, 'PUT', `/api/v1/tenants/${slug}/provider-apps/demo`, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowedScopes: ['notes:read', 'notes:write'],
    settings: { baseUrl: provider.url },
  });
  expect(configured.status).toBe(200);
}, 90_000);

afterAll(async () => {
  if (process.env.DEBUG_API) process.stdout.write(api.process.output());
  await http?.close();
  redis?.disconnect();
  await app?.$disconnect();
  await owner?.$disconnect();
  await Promise.all([api?.stop(), shortApi?.stop(), provider?.stop()]);
});

/** Starts a flow over the REST API (as the console does) and approves it; returns the callback URL. */
async function approvedCallback(who: Member, apiUrl = api.url, scopes: string[] = []): Promise<string> {
  const started = await adminCall(apiUrl, who, 'POST', `/api/v1/tenants/${tenant.slug}/connections/demo/authorize`, {
    scopes,
  });
  expect(started.status).toBe(200);
  const { authorizationUrl } = startConnectionResponse.parse(await started.json());
  return approveAtProvider(browserOf(who), provider.url, authorizationUrl);
}

async function connectionsOf(who: Member) {
  const response = await adminCall(api.url, who, 'GET', `/api/v1/tenants/${tenant.slug}/connections`);
  expect(response.status).toBe(200);
  return connectionList.parse(await response.json()).connections;
}

function tokenFor(scopes: string[] = ['notes:read'], userId = alice.userId): Promise<TokenResult> {
  return service.accessToken({ tenant, userId, providerId: 'demo', scopes });
}

async function auditActions(action: string): Promise<{ outcome: string; metadata: Record<string, unknown> }[]> {
  const rows = await withTenant(app, tenant.id, (tx) =>
    tx.auditEvent.findMany({ where: { tenantId: tenant.id, action }, orderBy: { seq: 'asc' } }),
  );
  return rows.map((row) => ({ outcome: row.outcome, metadata: row.metadata as Record<string, unknown> }));
}

/** Makes the stored access token expired, here and at the provider. */
async function expireAccessToken(): Promise<void> {
  await withTenant(app, tenant.id, (tx) =>
    tx.connection.updateMany({
      where: { tenantId: tenant.id, userId: alice.userId },
      data: { accessExpiresAt: new Date(Date.now() - 60_000), tokensIssuedAt: new Date(Date.now() - 3_600_000) },
    }),
  );
  expect((await provider.admin('POST', '/admin/expire-tokens')).status).toBe(200);
}

describe('connect flow', () => {
  test('a member connects the demo provider through the real redirects; the token is sealed and works', async () => {
    const browser = browserOf(alice);
    // The connect page: a button (never a plain link) bound to the console session's CSRF token.
    const page = await browser.request(`${api.url}/connect/${tenant.slug}/demo`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Connect Gatehouse Demo');
    expect(page.headers.get('content-security-policy')).toContain(`form-action 'self' ${provider.url}`);
    const go = await browser.request(`${api.url}/connect/${tenant.slug}/demo`, {
      form: { csrf: formField(html, 'csrf'), scope: 'notes:read' },
      origin: api.url,
    });
    expect(go.status).toBe(303);
    const authorizationUrl = go.headers.get('location')!;
    const authorization = new URL(authorizationUrl);
    expect(authorization.origin).toBe(provider.url);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('scope')).toBe('notes:read');

    const callbackUrl = await approveAtProvider(browser, provider.url, authorizationUrl);
    expect(callbackUrl.startsWith(`${api.url}/api/v1/connections/callback?`)).toBe(true);
    const done = await browser.request(callbackUrl);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('is connected');

    const [connection] = await connectionsOf(alice);
    expect(connection).toMatchObject({
      providerId: 'demo',
      providerName: 'Gatehouse Demo',
      accountLabel: 'alice',
      scopes: ['notes:read'],
      status: 'active',
      connectUrl: `${api.url}/connect/${tenant.slug}/demo`,
    });
    expect(JSON.stringify(connection)).not.toMatch(/token/i);

    const token = await tokenFor();
    if (!token.ok) throw new Error(`no token: ${JSON.stringify(token)}`);
    // The vault holds it sealed: one blob under the connection, without the token's bytes in clear.
    const secrets = await withTenant(app, tenant.id, (tx) =>
      tx.secret.findMany({ where: { tenantId: tenant.id, owner: `connection:${connection!.id}` } }),
    );
    expect(secrets.map((secret) => secret.purpose)).toEqual(['oauth.tokens']);
    expect(Buffer.from(secrets[0]!.blob).includes(Buffer.from(token.accessToken))).toBe(false);
    // The demo provider's API accepts the stored token.
    const notes = await fetch(`${provider.url}/api/notes`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    expect(notes.status).toBe(200);
    // Neither the code nor the token reached the api's log.
    const code = new URL(callbackUrl).searchParams.get('code')!;
    expect(api.process.output()).not.toContain(code);
    expect(api.process.output()).not.toContain(token.accessToken);
    expect((await auditActions('connection.created')).map((event) => event.metadata.scopes)).toEqual([['notes:read']]);
  });

  test('more scopes: the service names what is missing and the page to fix it; reconnecting adds them', async () => {
    const missing = await tokenFor(['notes:write']);
    expect(missing).toMatchObject({
      ok: false,
      reason: 'missing_scopes',
      missingScopes: ['notes:write'],
      connectUrl: `${api.url}/connect/${tenant.slug}/demo?scope=notes%3Awrite`,
    });
    const browser = browserOf(alice);
    const page = await browser.request((missing as { connectUrl: string }).connectUrl);
    const html = await page.text();
    expect(html).toContain('<code>notes:read</code>');
    expect(html).toContain('<code>notes:write</code>');
    const go = await browser.request(`${api.url}/connect/${tenant.slug}/demo`, {
      form: { csrf: formField(html, 'csrf'), scope: formField(html, 'scope') },
      origin: api.url,
    });
    // Incremental: what was granted stays asked for, plus the new scope.
    expect(new URL(go.headers.get('location')!).searchParams.get('scope')).toBe('notes:read notes:write');
    const done = await browser.request(await approveAtProvider(browser, provider.url, go.headers.get('location')!));
    expect(done.status).toBe(200);
    expect((await connectionsOf(alice))[0]!.scopes).toEqual(['notes:read', 'notes:write']);
    expect(await tokenFor(['notes:write'])).toMatchObject({ ok: true });
  });

  test('a reconnect asks again only for scopes the app still allows (an admin withdrew one)', async () => {
    expect((await connectionsOf(alice))[0]!.scopes).toEqual(['notes:read', 'notes:write']);
    const configure = (allowedScopes: string[]) =>
      adminCall(api.url, alice, 'PUT', `/api/v1/tenants/${tenant.slug}/provider-apps/demo`, {
        clientId: CLIENT_ID,
        allowedScopes,
        settings: { baseUrl: provider.url },
      });
    expect((await configure(['notes:read'])).status).toBe(200);
    try {
      const started = await adminCall(
        api.url,
        alice,
        'POST',
        `/api/v1/tenants/${tenant.slug}/connections/demo/authorize`,
        { scopes: [] },
      );
      const { authorizationUrl, scopes } = startConnectionResponse.parse(await started.json());
      expect(scopes).toEqual(['notes:read']);
      expect(new URL(authorizationUrl).searchParams.get('scope')).toBe('notes:read');
    } finally {
      expect((await configure(['notes:read', 'notes:write'])).status).toBe(200);
    }
  });

  test('a console flow returns to the console path it names', async () => {
    const started = await adminCall(
      api.url,
      alice,
      'POST',
      `/api/v1/tenants/${tenant.slug}/connections/demo/authorize`,
      {
        returnTo: '/connections',
      },
    );
    const { authorizationUrl } = startConnectionResponse.parse(await started.json());
    const browser = browserOf(alice);
    const back = await browser.request(await approveAtProvider(browser, provider.url, authorizationUrl));
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('http://127.0.0.1:1/connections?connected=demo');
    // Declining at the provider sends the person back there too (with a code the console words), not to a dead end.
    const again = await adminCall(api.url, alice, 'POST', `/api/v1/tenants/${tenant.slug}/connections/demo/authorize`, {
      returnTo: '/connections',
    });
    const { authorizationUrl: declinedUrl } = startConnectionResponse.parse(await again.json());
    const state = new URL(declinedUrl).searchParams.get('state')!;
    const declined = await browser.request(
      `${api.url}/api/v1/connections/callback?${new URLSearchParams({ state, error: 'access_denied' }).toString()}`,
    );
    expect(declined.status).toBe(303);
    expect(declined.headers.get('location')).toBe(
      'http://127.0.0.1:1/connections?connection_error=connection_declined',
    );
    expect((await auditActions('connection.failed')).at(-1)!.metadata).toMatchObject({
      reason: 'provider_error:access_denied',
    });
    const offsite = await adminCall(
      api.url,
      alice,
      'POST',
      `/api/v1/tenants/${tenant.slug}/connections/demo/authorize`,
      {
        returnTo: '//evil.example/x',
      },
    );
    expect(offsite.status).toBe(400);
  });
});

describe('refused callbacks are audited', () => {
  test('a replayed state', async () => {
    const callbackUrl = await approvedCallback(alice);
    const browser = browserOf(alice);
    expect((await browser.request(callbackUrl)).status).toBe(200);
    const replay = await browser.request(callbackUrl);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');
    expect((await auditActions('connection.callback_refused')).map((event) => event.metadata.reason)).toContain(
      'state_replayed',
    );
  });

  test("another user's state", async () => {
    const before = (await connectionsOf(alice))[0]!;
    const callbackUrl = await approvedCallback(alice);
    const stolen = await browserOf(bob).request(callbackUrl);
    expect(stolen.status).toBe(400);
    expect(await stolen.text()).toContain('started by someone else');
    const refused = (await auditActions('connection.callback_refused')).at(-1)!;
    expect(refused).toMatchObject({
      outcome: 'denied',
      metadata: { reason: 'state_wrong_user', flowUserId: alice.userId },
    });
    // Bob got nothing, and the state is spent: alice's own later use is refused too.
    expect((await browserOf(alice).request(callbackUrl)).status).toBe(400);
    expect((await connectionsOf(alice))[0]!.updatedAt).toBe(before.updatedAt);
  });

  test('an expired state', async () => {
    const callbackUrl = await approvedCallback(alice, shortApi.url);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const late = await browserOf(alice).request(callbackUrl);
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('expired');
    expect((await auditActions('connection.callback_refused')).at(-1)!.metadata.reason).toBe('state_expired');
  });

  test('a code issued for another PKCE verifier', async () => {
    // Two flows of the same person: the code of the first is presented with the state (and verifier) of the second.
    const first = new URL(await approvedCallback(alice));
    const second = new URL(await approvedCallback(alice));
    second.searchParams.set('code', first.searchParams.get('code')!);
    const swapped = await browserOf(alice).request(second.toString());
    expect(swapped.status).toBe(502);
    expect(await swapped.text()).toContain('refused the connection');
    const failed = (await auditActions('connection.failed')).at(-1)!;
    expect(failed).toMatchObject({ outcome: 'failure', metadata: { reason: 'exchange_refused' } });
  });

  test('an unknown state is audited on the platform chain', async () => {
    const bogus = await browserOf(alice).request(
      `${api.url}/api/v1/connections/callback?code=x&state=${'A'.repeat(43)}`,
    );
    expect(bogus.status).toBe(400);
    const events = await owner.auditEvent.findMany({
      where: {
        action: 'connection.callback_refused',
        actorId: alice.userId,
        tenantId: '00000000-0000-0000-0000-000000000000',
      },
    });
    expect(events.map((event) => (event.metadata as { reason: string }).reason)).toEqual(['unknown_state']);
  });
});

describe('refresh', () => {
  test('100 concurrent token requests over two processes cause exactly one refresh; all get the new token', async () => {
    const before = await tokenFor();
    if (!before.ok) throw new Error('not connected');
    await expireAccessToken();
    expect((await provider.admin('POST', '/admin/reset-stats')).status).toBe(204);

    const startAt = String(Date.now() + 1_500);
    const run = () =>
      startProcess('token-requests', process.execPath, [join(repoRoot, 'tests/e2e/test/token-requests.ts')], {
        cwd: join(repoRoot, 'tests/e2e'),
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: testAppDatabaseUrl(),
          REDIS_URL: testRedisUrl(),
          VAULT_KEYS: testVaultKeys(),
          QUEUE_PREFIX: testPrefix(),
          PUBLIC_API_URL: api.url,
          TENANT_ID: tenant.id,
          TENANT_SLUG: tenant.slug,
          USER_ID: alice.userId,
          COUNT: '50',
          START_AT: startAt,
        },
      });
    const processes = [run(), run()];
    const exits = await Promise.all(processes.map((child) => child.exited));
    const outputs = processes.map((child) => child.output());
    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
    const tokens = outputs.flatMap((output) => JSON.parse(output.trim().split('\n').at(-1)!) as string[]);

    expect(tokens).toHaveLength(100);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.accessToken);
    const stats = await provider.stats();
    expect(stats.refreshes).toBe(1);
    expect(stats.refreshReuseDetected).toBe(0);
    const notes = await fetch(`${provider.url}/api/notes`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    expect(notes.status).toBe(200);
    expect(await tokenFor()).toMatchObject({ ok: true, accessToken: tokens[0] });
  }, 60_000);

  test('a refresh the provider rejects marks the connection needs_reauth, with the reconnect page', async () => {
    await expireAccessToken();
    await provider.admin('POST', '/admin/fail-refresh', { enabled: true });
    try {
      expect(await tokenFor()).toMatchObject({
        ok: false,
        reason: 'needs_reauth',
        connectUrl: `${api.url}/connect/${tenant.slug}/demo?scope=notes%3Aread`,
      });
      expect((await connectionsOf(alice))[0]!.status).toBe('needs_reauth');
      expect((await auditActions('connection.refresh_failed')).at(-1)!.metadata).toMatchObject({
        status: 'needs_reauth',
      });
      // It stays so (no refresh storm) until the person reconnects.
      const refreshFailures = (await provider.stats()).refreshFailures;
      expect(await tokenFor()).toMatchObject({ reason: 'needs_reauth' });
      expect((await provider.stats()).refreshFailures).toBe(refreshFailures);
    } finally {
      await provider.admin('POST', '/admin/fail-refresh', { enabled: false });
    }
    const browser = browserOf(alice);
    expect((await browser.request(await approvedCallback(alice))).status).toBe(200);
    expect((await connectionsOf(alice))[0]!.status).toBe('active');
    expect(await tokenFor()).toMatchObject({ ok: true });
  });

  test("a refresh refused for the organisation's app (wrong client secret) keeps the connection: fixed by an admin, it works again", async () => {
    const configure = (clientSecret: string) =>
      adminCall(api.url, alice, 'PUT', `/api/v1/tenants/${tenant.slug}/provider-apps/demo`, {
        clientId: CLIENT_ID,
        clientSecret,
        allowedScopes: ['notes:read', 'notes:write'],
        settings: { baseUrl: provider.url },
      });
    await expireAccessToken();
    expect((await configure('rotated-at-the-provider-0123456789')).status).toBe(200);
    try {
      expect(await tokenFor()).toMatchObject({
        ok: false,
        reason: 'provider_unavailable',
        message: expect.stringContaining('invalid_client') as unknown,
      });
      // Not the person's fault: no reconnecting.
      expect((await connectionsOf(alice))[0]!.status).toBe('active');
      expect((await auditActions('connection.refresh_failed')).at(-1)!.metadata).toMatchObject({
        reason: 'invalid_client',
        status: 'active',
      });
    } finally {
      expect((await configure(CLIENT_SECRET)).status).toBe(200);
    }
    // The app fixed, the same refresh token works.
    await waitFor('the refresh to work again', async () => ((await tokenFor()).ok ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect((await connectionsOf(alice))[0]!.status).toBe('active');
  });

  test.each([
    ['a block page in front of the provider (403, HTML, no OAuth answer)', 'blocked', 'HTTP 403'],
    ["the provider's own outage, said with HTTP 200 (Slack's internal_error)", 'internal_error', 'could not refresh'],
  ])('a refresh stopped by %s keeps the connection', async (_what, as, said) => {
    await expireAccessToken();
    await provider.admin('POST', '/admin/fail-refresh', { enabled: true, as });
    try {
      expect(await tokenFor()).toMatchObject({
        ok: false,
        reason: 'provider_unavailable',
        message: expect.stringContaining(said) as unknown,
      });
      // Nothing was said about the person's grant: no reconnecting.
      expect((await connectionsOf(alice))[0]!.status).toBe('active');
    } finally {
      await provider.admin('POST', '/admin/fail-refresh', { enabled: false });
    }
    expect(await tokenFor()).toMatchObject({ ok: true });
  });

  test("an admin pointing the app somewhere else: no one's tokens or codes are sent there; people reconnect", async () => {
    const elsewhere = await startDemoProviderProcess([
      { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${api.url}/api/v1/connections/callback`] },
    ]);
    const configure = (baseUrl: string) =>
      adminCall(api.url, alice, 'PUT', `/api/v1/tenants/${tenant.slug}/provider-apps/demo`, {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        allowedScopes: ['notes:read', 'notes:write'],
        settings: { baseUrl },
      });
    try {
      expect(await tokenFor()).toMatchObject({ ok: true });
      // A connect flow approved at the provider before the change…
      const pending = await approvedCallback(alice);
      expect((await configure(elsewhere.url)).status).toBe(200);
      // …is refused at its callback: its code does not go to the new place.
      expect((await browserOf(alice).request(pending)).status).toBe(502);
      expect((await auditActions('connection.failed')).at(-1)!.metadata).toMatchObject({
        reason: 'app_settings_changed',
      });
      // The tokens already held are not handed out for the new place (once the app's settings are re-read).
      await waitFor('the token to be withheld', async () => ((await tokenFor()).ok ? undefined : true), {
        timeoutMs: 10_000,
      });
      expect(await tokenFor()).toMatchObject({ ok: false, reason: 'needs_reauth' });
      expect((await connectionsOf(alice))[0]!.status).toBe('needs_reauth');
      expect((await auditActions('connection.refresh_failed')).at(-1)!.metadata).toMatchObject({
        reason: 'app_settings_changed',
      });
      expect(await elsewhere.stats()).toMatchObject({ tokenRequests: 0, apiRequests: 0, revocations: 0 });
    } finally {
      expect((await configure(provider.url)).status).toBe(200);
      await elsewhere.stop();
    }
    // Connecting again mends it (at once: a process still remembering the other settings reads them again).
    expect((await browserOf(alice).request(await approvedCallback(alice))).status).toBe(200);
    expect(await tokenFor()).toMatchObject({ ok: true });
  });

  test('a connection whose sealed tokens are gone sends the person to connect again, which mends it', async () => {
    const [connection] = await connectionsOf(alice);
    await owner.secret.deleteMany({ where: { tenantId: tenant.id, owner: `connection:${connection!.id}` } });
    expect(await tokenFor()).toMatchObject({
      ok: false,
      reason: 'needs_reauth',
      connectUrl: `${api.url}/connect/${tenant.slug}/demo?scope=notes%3Aread`,
    });
    const browser = browserOf(alice);
    expect((await browser.request(await approvedCallback(alice))).status).toBe(200);
    expect(await tokenFor()).toMatchObject({ ok: true });
  });
});

describe('a reconnect whose tokens cannot be sealed', () => {
  test('changes nothing: the connection that worked keeps its tokens, and only the failure is recorded', async () => {
    const before = (await connectionsOf(alice))[0]!;
    const working = await tokenFor();
    if (!working.ok) throw new Error('not connected');
    const changes = (await auditActions('connection.updated')).length;
    const callback = await approvedCallback(alice);
    // No active data key: the api's vault cannot seal anything until there is one again.
    await owner.$executeRaw`UPDATE tenant_data_keys SET state = 'decrypt_only' WHERE tenant_id = ${tenant.id}::uuid AND state = 'active'`;
    let done: Response;
    try {
      done = await browserOf(alice).request(callback);
    } finally {
      await owner.$executeRaw`UPDATE tenant_data_keys SET state = 'active' WHERE tenant_id = ${tenant.id}::uuid
        AND version = (SELECT max(version) FROM tenant_data_keys WHERE tenant_id = ${tenant.id}::uuid)`;
    }
    expect(done.status).toBe(503);
    expect(await done.text()).toContain('nothing changed');
    const after = (await connectionsOf(alice))[0]!;
    expect({ ...after, lastUsedAt: null }).toEqual({ ...before, lastUsedAt: null });
    expect(await tokenFor()).toMatchObject({ ok: true, accessToken: working.accessToken });
    expect((await auditActions('connection.updated')).length).toBe(changes);
    expect((await auditActions('connection.failed')).at(-1)).toMatchObject({
      outcome: 'failure',
      metadata: { reason: 'vault_unknown_key_version' },
    });
  });
});

describe('disconnect', () => {
  test('tokens nobody can open (a damaged blob): a clear error, nothing sent, and the person can still disconnect', async () => {
    const [connection] = await connectionsOf(alice);
    const apiRequests = (await provider.stats()).apiRequests ?? 0;
    // The GCM tag's last byte flipped: the vault refuses to open it (as for a key version this process lacks).
    await owner.$executeRaw`UPDATE secrets SET blob = set_byte(blob, length(blob) - 1, get_byte(blob, length(blob) - 1) # 255)
      WHERE tenant_id = ${tenant.id}::uuid AND owner = ${`connection:${connection!.id}`}`;
    await expect(tokenFor()).rejects.toMatchObject({
      code: 'tokens_unreadable',
      message: expect.stringContaining('cannot open the stored'),
    });
    const response = await adminCall(api.url, alice, 'DELETE', `/api/v1/tenants/${tenant.slug}/connections/demo`);
    expect(response.status).toBe(200);
    expect(disconnectResponse.parse(await response.json())).toEqual({ revokedAtProvider: false });
    expect((await auditActions('connection.deleted')).at(-1)!.metadata).toMatchObject({
      revocation: 'tokens_unreadable',
    });
    expect(await owner.secret.count({ where: { owner: `connection:${connection!.id}` } })).toBe(0);
    expect((await provider.stats()).apiRequests ?? 0).toBe(apiRequests);
    // Connecting again starts afresh.
    expect((await browserOf(alice).request(await approvedCallback(alice))).status).toBe(200);
    expect(await tokenFor()).toMatchObject({ ok: true });
  });

  test('revokes at the provider, destroys the sealed tokens, and the service reports not_connected', async () => {
    const [connection] = await connectionsOf(alice);
    const token = await tokenFor();
    if (!token.ok) throw new Error('not connected');
    const revocations = (await provider.stats()).revocations ?? 0;

    const response = await adminCall(api.url, alice, 'DELETE', `/api/v1/tenants/${tenant.slug}/connections/demo`);
    expect(response.status).toBe(200);
    expect(disconnectResponse.parse(await response.json())).toEqual({ revokedAtProvider: true });
    expect((await provider.stats()).revocations).toBe(revocations + 1);
    // Revoking the refresh token ended the grant: the access token no longer works either.
    const notes = await fetch(`${provider.url}/api/notes`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    expect(notes.status).toBe(401);

    const left = await owner.secret.count({ where: { owner: `connection:${connection!.id}` } });
    expect(left).toBe(0);
    expect(await connectionsOf(alice)).toEqual([]);
    expect(await tokenFor()).toMatchObject({
      ok: false,
      reason: 'not_connected',
      connectUrl: `${api.url}/connect/${tenant.slug}/demo?scope=notes%3Aread`,
    });
    expect((await auditActions('connection.deleted')).at(-1)!.metadata).toMatchObject({ revocation: 'revoked' });

    const again = await adminCall(api.url, alice, 'DELETE', `/api/v1/tenants/${tenant.slug}/connections/demo`);
    expect(again.status).toBe(404);
    expect(problemDetails.parse(await again.json()).code).toBe('not_connected');
  });

  test('the connect page refuses strangers and needs a signed-in browser', async () => {
    expect((await new TestBrowser().request(`${api.url}/connect/${tenant.slug}/demo`)).status).toBe(401);
    expect((await browserOf(bob).request(`${api.url}/connect/${tenant.slug}/demo`)).status).toBe(404);
    const page = await browserOf(alice).request(`${api.url}/connect/${tenant.slug}/demo`);
    const csrf = formField(await page.text(), 'csrf');
    const forged = await browserOf(alice).request(`${api.url}/connect/${tenant.slug}/demo`, {
      form: { csrf, scope: '' },
      origin: 'https://evil.example',
    });
    expect(forged.status).toBe(403);
  });
});

describe('REST refusals and cleanup', () => {
  test('unknown or unconfigured providers, scopes the app does not allow, and API keys are refused clearly', async () => {
    const start = (provider: string, body: unknown) =>
      adminCall(api.url, alice, 'POST', `/api/v1/tenants/${tenant.slug}/connections/${provider}/authorize`, body);
    const codeOf = async (response: Response) => ({
      status: response.status,
      code: problemDetails.parse(await response.json()).code,
    });
    expect(await codeOf(await start('no-such-provider', {}))).toEqual({ status: 404, code: 'unknown_provider' });
    expect(await codeOf(await start('github', {}))).toEqual({ status: 409, code: 'provider_not_configured' });
    expect(await codeOf(await start('demo', { scopes: ['notes:admin'] }))).toEqual({
      status: 400,
      code: 'invalid_scopes',
    });
    expect(await codeOf(await start('demo', { scopes: ['has space'] }))).toEqual({
      status: 400,
      code: 'invalid_scopes',
    });

    const created = await adminCall(api.url, alice, 'POST', `/api/v1/tenants/${tenant.slug}/api-keys`, {
      name: 'automation',
      scopes: ['providers:read'],
    });
    const { key } = (await created.json()) as { key: string };
    const withKey = await fetch(`${api.url}/api/v1/tenants/${tenant.slug}/connections`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await codeOf(withKey)).toEqual({ status: 403, code: 'person_required' });
  });

  test('removing the provider app, or the person from the tenant, takes connections and sealed tokens along', async () => {
    // Bob joins and connects; alice connects again.
    const invited = await adminCall(api.url, alice, 'POST', `/api/v1/tenants/${tenant.slug}/invitations`, {
      email: bob.email,
      role: 'member',
    });
    const { token } = (await invited.json()) as { token: string };
    expect(
      (await adminCall(api.url, bob, 'POST', '/api/v1/invitations/accept', { tenant: tenant.slug, token })).status,
    ).toBe(200);
    for (const who of [alice, bob])
      expect((await browserOf(who).request(await approvedCallback(who))).status).toBe(200);
    const sealed = () => owner.secret.count({ where: { tenantId: tenant.id, owner: { startsWith: 'connection:' } } });
    expect(await sealed()).toBe(2);

    expect(
      (await adminCall(api.url, alice, 'DELETE', `/api/v1/tenants/${tenant.slug}/members/${bob.userId}`)).status,
    ).toBe(204);
    expect(await sealed()).toBe(1);

    // The app's remaining connections are revoked at the provider first, as a disconnect would.
    const revocations = (await provider.stats()).revocations ?? 0;
    expect(
      (await adminCall(api.url, alice, 'DELETE', `/api/v1/tenants/${tenant.slug}/provider-apps/demo`)).status,
    ).toBe(204);
    expect((await provider.stats()).revocations).toBe(revocations + 1);
    expect((await auditActions('provider_app.deleted')).at(-1)!.metadata).toMatchObject({
      providerId: 'demo',
      connections: 1,
      revokedAtProvider: 1,
    });
    expect(await sealed()).toBe(0);
    expect(await owner.connection.count({ where: { tenantId: tenant.id } })).toBe(0);
    expect(await owner.secret.count({ where: { tenantId: tenant.id, owner: { startsWith: 'provider_app:' } } })).toBe(
      0,
    );
    expect(await tokenFor()).toMatchObject({ ok: false, reason: 'not_connected' });
  });
});
