import { randomUUID } from 'node:crypto';
import { createdInvitation, problemDetails, providerApp, providerAppList, tenant } from '@gatehouse/contracts';
import { createDatabase } from '@gatehouse/db';
import { testDatabaseUrl } from '@gatehouse/testing';
import { callAs, signUp, startApi, type Person, type RunningApi } from './helpers.js';

describe("a tenant's OAuth apps at providers", () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_API_URL: 'https://gatehouse.example' });
  });

  afterAll(async () => {
    await api.close();
  });

  const call = (method: string, path: string, who: Person | string, body?: unknown) =>
    callAs(api, method, path, who, body);

  async function tenantOf(owner: Person, label: string) {
    return tenant.parse(
      await (
        await call('POST', '/api/v1/tenants', owner, { slug: `${label}-${randomUUID().slice(0, 8)}`, name: label })
      ).json(),
    );
  }

  it('stores the client secret sealed, never returns it, shows the redirect URI, and audits without it', async () => {
    const alice = await signUp(api, 'alice');
    const acme = await tenantOf(alice, 'acme');
    const base = `/api/v1/tenants/${acme.slug}/provider-apps`;
    const secret = `gh-client-secret-${randomUUID()}`;

    // Created without a secret: refused (an app without one is unusable).
    const noSecret = await call('PUT', `${base}/github`, alice, { clientId: 'Iv1.abc', allowedScopes: ['repo'] });
    expect(problemDetails.parse(await noSecret.json())).toMatchObject({ status: 400, code: 'client_secret_required' });

    const created = await call('PUT', `${base}/github`, alice, {
      clientId: 'Iv1.abc',
      clientSecret: secret,
      allowedScopes: ['repo', 'read:user', 'repo'],
    });
    expect(created.status).toBe(200);
    const body = await created.text();
    expect(body).not.toContain(secret);
    expect(providerApp.parse(JSON.parse(body))).toMatchObject({
      providerId: 'github',
      providerName: 'GitHub',
      clientId: 'Iv1.abc',
      allowedScopes: ['repo', 'read:user'],
      redirectUri: 'https://gatehouse.example/api/v1/connections/callback',
      hasClientSecret: true,
    });

    // In the database: a vault blob, not the secret.
    const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
    try {
      const rows = await db.secret.findMany({ where: { tenantId: acme.id, purpose: 'oauth.client_secret' } });
      expect(rows).toHaveLength(1);
      expect(Buffer.from(rows[0]!.blob).includes(Buffer.from(secret))).toBe(false);
    } finally {
      await db.$disconnect();
    }

    // A change without a secret keeps the stored one.
    const changed = await call('PUT', `${base}/github`, alice, { clientId: 'Iv1.def', allowedScopes: ['repo'] });
    expect(changed.status).toBe(200);
    const list = providerAppList.parse(await (await call('GET', base, alice)).json());
    expect(list.apps.map((app) => [app.providerId, app.clientId])).toEqual([['github', 'Iv1.def']]);

    const audit = await (await call('GET', `/api/v1/tenants/${acme.slug}/audit?limit=20`, alice)).text();
    expect(audit).toContain('provider_app.created');
    expect(audit).toContain('provider_app.updated');
    expect(audit).not.toContain(secret);

    expect((await call('DELETE', `${base}/github`, alice)).status).toBe(204);
    expect((await call('DELETE', `${base}/github`, alice)).status).toBe(404);
    const verify = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
    try {
      expect(await verify.secret.count({ where: { tenantId: acme.id, purpose: 'oauth.client_secret' } })).toBe(0);
    } finally {
      await verify.$disconnect();
    }
  });

  it('a client secret the vault cannot seal changes nothing: no new client id beside the old secret, no record', async () => {
    const alice = await signUp(api, 'alice');
    const acme = await tenantOf(alice, 'sealfail');
    const base = `/api/v1/tenants/${acme.slug}/provider-apps`;
    const first = { clientId: 'Iv1.first', clientSecret: 'first-secret-0123456789', allowedScopes: ['repo'] };
    expect((await call('PUT', `${base}/github`, alice, first)).status).toBe(200);
    const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
    try {
      const sealed = async () =>
        (await db.secret.findMany({ where: { tenantId: acme.id, purpose: 'oauth.client_secret' } })).map((row) =>
          Buffer.from(row.blob).toString('base64'),
        );
      const before = await sealed();
      // No active data key: nothing can be sealed until there is one again.
      await db.$executeRaw`UPDATE tenant_data_keys SET state = 'decrypt_only' WHERE tenant_id = ${acme.id}::uuid`;
      const refused = await call('PUT', `${base}/github`, alice, {
        clientId: 'Iv1.second',
        clientSecret: 'second-secret-0123456789',
        allowedScopes: ['repo', 'gist'],
      });
      expect(refused.status).toBe(503);
      expect(problemDetails.parse(await refused.json())).toMatchObject({ code: 'client_secret_unstorable' });
      const created = await call('PUT', `${base}/gitlab`, alice, {
        clientId: 'gl-app',
        clientSecret: 'gitlab-secret-0123456789',
        allowedScopes: ['read_user'],
      });
      expect(problemDetails.parse(await created.json())).toMatchObject({
        status: 503,
        code: 'client_secret_unstorable',
      });

      const list = providerAppList.parse(await (await call('GET', base, alice)).json());
      expect(list.apps.map((app) => [app.providerId, app.clientId, app.allowedScopes])).toEqual([
        ['github', 'Iv1.first', ['repo']],
      ]);
      expect(await sealed()).toEqual(before);
      const audit = await (await call('GET', `/api/v1/tenants/${acme.slug}/audit?limit=50`, alice)).text();
      expect(audit).not.toContain('provider_app.updated');
      expect(audit.match(/provider_app\.created/g)).toHaveLength(1);
    } finally {
      await db.$disconnect();
    }
  });

  it('first saves at once: one creates the app, the others update it — no server error', async () => {
    const alice = await signUp(api, 'alice');
    const acme = await tenantOf(alice, 'race');
    const saves = await Promise.all(
      Array.from({ length: 12 }, (_, index) => `Iv1.save-${index}`).map((clientId) =>
        call('PUT', `/api/v1/tenants/${acme.slug}/provider-apps/github`, alice, {
          clientId,
          clientSecret: `secret-${clientId}`,
          allowedScopes: ['repo'],
        }),
      ),
    );
    expect(saves.map((response) => response.status)).toEqual(Array.from({ length: 12 }, () => 200));
    const listed = providerAppList.parse(
      await (await call('GET', `/api/v1/tenants/${acme.slug}/provider-apps`, alice)).json(),
    );
    expect(listed.apps.filter((app) => app.providerId === 'github')).toHaveLength(1);
  });

  it('refuses unknown providers, API-key providers, bad scopes and unsafe placeholder settings', async () => {
    const alice = await signUp(api, 'alice');
    const acme = await tenantOf(alice, 'acme');
    const base = `/api/v1/tenants/${acme.slug}/provider-apps`;
    const save = (provider: string, extra: Record<string, unknown> = {}) =>
      call('PUT', `${base}/${provider}`, alice, { clientId: 'id', clientSecret: 's', ...extra });
    const codeOf = async (response: Response) => problemDetails.parse(await response.json()).code;

    expect(await codeOf(await save('no-such-provider'))).toBe('unknown_provider');
    expect(await codeOf(await save('openai'))).toBe('unknown_provider');
    expect(await codeOf(await save('github', { allowedScopes: ['has space'] }))).toBe('invalid_scopes');
    expect(await codeOf(await save('gitlab', { settings: { baseUrl: 'http://169.254.169.254' } }))).toBe(
      'invalid_settings',
    );
    expect(await codeOf(await save('microsoft', { settings: { tenant: '../evil' } }))).toBe('invalid_settings');
    expect((await save('microsoft', { settings: { tenant: 'organizations' } })).status).toBe(200);
    expect((await save('gitlab', { settings: { baseUrl: 'https://gitlab.example.com' } })).status).toBe(200);
  });

  it('lets members read but not change apps, and hides them from other tenants', async () => {
    const [alice, bob, eve] = [await signUp(api, 'alice'), await signUp(api, 'bob'), await signUp(api, 'eve')];
    const acme = await tenantOf(alice, 'acme');
    const base = `/api/v1/tenants/${acme.slug}/provider-apps`;
    await call('PUT', `${base}/slack`, alice, { clientId: 'id', clientSecret: 's', allowedScopes: ['chat:write'] });
    const invited = createdInvitation.parse(
      await (
        await call('POST', `/api/v1/tenants/${acme.slug}/invitations`, alice, { email: bob.email, role: 'member' })
      ).json(),
    );
    await call('POST', '/api/v1/invitations/accept', bob, { tenant: acme.slug, token: invited.token });

    expect(providerAppList.parse(await (await call('GET', base, bob)).json()).apps).toHaveLength(1);
    expect((await call('PUT', `${base}/slack`, bob, { clientId: 'mine', clientSecret: 'x' })).status).toBe(403);
    expect((await call('DELETE', `${base}/slack`, bob)).status).toBe(403);

    await tenantOf(eve, 'other');
    expect((await call('GET', base, eve)).status).toBe(404);
    expect((await call('PUT', `${base}/slack`, eve, { clientId: 'x', clientSecret: 'x' })).status).toBe(404);
  });
});
