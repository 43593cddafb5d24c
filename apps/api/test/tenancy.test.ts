import { randomUUID } from 'node:crypto';
import { createdApiKey, createdInvitation, memberList, problemDetails, routes, tenant } from '@gatehouse/contracts';
import { callAs, signUp, startApi, type Person, type RunningApi } from './helpers.js';

describe('admin REST API: tenants, members, invitations, API keys, audit', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const call = (method: string, path: string, who?: Person | string, body?: unknown) =>
    callAs(api, method, path, who, body);
  const person = (label: string) => signUp(api, label);

  async function tenantOf(owner: Person) {
    const res = await call('POST', '/api/v1/tenants', owner, {
      slug: `t-${randomUUID().slice(0, 8)}`,
      name: `${owner.email}'s org`,
    });
    expect(res.status).toBe(201);
    return tenant.parse(await res.json());
  }

  it('runs the whole membership journey over HTTP', async () => {
    const [alice, bob] = [await person('alice'), await person('bob')];
    const acme = await tenantOf(alice);
    expect(acme.role).toBe('owner');

    const invited = await call('POST', `/api/v1/tenants/${acme.slug}/invitations`, alice, {
      email: bob.email,
      role: 'admin',
    });
    expect(invited.status).toBe(201);
    const { acceptUrl, token } = createdInvitation.parse(await invited.json());
    expect(acceptUrl).toContain(`/invitations/${acme.slug}/`);
    const accepted = await call('POST', '/api/v1/invitations/accept', bob, { tenant: acme.slug, token });
    expect(accepted.status).toBe(200);
    expect((await call('POST', '/api/v1/invitations/accept', bob, { tenant: acme.slug, token })).status).toBe(409);

    const members = memberList.parse(await (await call('GET', `/api/v1/tenants/${acme.slug}/members`, bob)).json());
    expect(members.members.map((m) => m.role).sort()).toEqual(['admin', 'owner']);

    // The last owner stays.
    const demote = await call('PATCH', `/api/v1/tenants/${acme.slug}/members/${alice.userId}`, alice, {
      role: 'member',
    });
    expect(demote.status).toBe(409);
    expect(problemDetails.parse(await demote.json()).code).toBe('last_owner');

    const audit = await (await call('GET', `/api/v1/tenants/${acme.slug}/audit?limit=10`, alice)).json();
    expect((audit as { events: { action: string }[] }).events.map((e) => e.action)).toEqual([
      'invitation.accepted',
      'invitation.created',
      'tenant.created',
    ]);
    const verified = (await (await call('GET', `/api/v1/tenants/${acme.slug}/audit/verify`, alice)).json()) as {
      head: { seq: number; hash: string };
    };
    expect(verified).toEqual({ ok: true, checked: 3, head: { seq: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    // Against a checkpoint kept elsewhere: the chain still holds it; another hash at that place is a broken chain.
    const against = async (checkpoint: string) =>
      call('GET', `/api/v1/tenants/${acme.slug}/audit/verify?checkpoint=${checkpoint}`, alice);
    expect(await (await against(`3:${verified.head.hash}`)).json()).toMatchObject({ ok: true, checked: 3 });
    expect(await (await against(`3:${'0'.repeat(64)}`)).json()).toMatchObject({
      ok: false,
      firstBroken: { seq: 3, reason: 'checkpoint_mismatch' },
    });
    expect(await (await against(`9:${verified.head.hash}`)).json()).toMatchObject({
      ok: false,
      firstBroken: { seq: 4, reason: 'checkpoint_missing' },
    });
    const malformed = await against('yesterday');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'validation_failed' });
    const csv = await call('GET', `/api/v1/tenants/${acme.slug}/audit/export?format=csv`, alice);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).trim().split('\n')).toHaveLength(4);
  });

  it('issues API keys that act only within their tenant and scopes, and can be revoked', async () => {
    const alice = await person('alice');
    const acme = await tenantOf(alice);
    const created = await call('POST', `/api/v1/tenants/${acme.slug}/api-keys`, alice, {
      name: 'ci',
      scopes: ['members:read'],
    });
    expect(created.status).toBe(201);
    const { key, apiKey } = createdApiKey.parse(await created.json());
    // A key that would be dead on arrival is refused, not issued.
    const expired = await call('POST', `/api/v1/tenants/${acme.slug}/api-keys`, alice, {
      name: 'late',
      scopes: ['members:read'],
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(expired.status).toBe(400);
    expect(((await expired.json()) as { code: string }).code).toBe('validation_failed');
    expect((await call('GET', `/api/v1/tenants/${acme.slug}/members`, key)).status).toBe(200);
    expect((await call('GET', `/api/v1/tenants/${acme.slug}/audit`, key)).status).toBe(403);
    const listed = (await (await call('GET', `/api/v1/tenants/${acme.slug}/api-keys`, alice)).json()) as {
      apiKeys: Record<string, unknown>[];
    };
    expect(JSON.stringify(listed)).not.toContain(key.split('_').at(-1)!);
    expect(listed.apiKeys[0]).toMatchObject({ id: apiKey.id, lastUsedAt: expect.any(String) });
    expect((await call('DELETE', `/api/v1/tenants/${acme.slug}/api-keys/${apiKey.id}`, alice)).status).toBe(204);
    expect((await call('GET', `/api/v1/tenants/${acme.slug}/members`, key)).status).toBe(401);
  });

  it("cross-tenant matrix: a member of A using B's slug or B's ids never gets B's data", async () => {
    const [alice, bob, carol] = [await person('alice'), await person('bob'), await person('carol')];
    const a = await tenantOf(alice);
    const b = await tenantOf(bob);
    const bInvitation = createdInvitation.parse(
      await (
        await call('POST', `/api/v1/tenants/${b.slug}/invitations`, bob, { email: carol.email, role: 'member' })
      ).json(),
    );
    const bKey = createdApiKey.parse(
      await (
        await call('POST', `/api/v1/tenants/${b.slug}/api-keys`, bob, {
          name: 'b',
          scopes: ['members:read', 'members:write', 'api_keys:write', 'audit:read'],
        })
      ).json(),
    );
    const aKey = createdApiKey.parse(
      await (
        await call('POST', `/api/v1/tenants/${a.slug}/api-keys`, alice, {
          name: 'a',
          scopes: ['members:read', 'members:write', 'api_keys:write', 'audit:read'],
        })
      ).json(),
    );

    const bSecrets = [b.id, bob.userId, bob.email, bInvitation.invitation.id, bKey.apiKey.id, carol.email];
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/v1/tenants/${b.slug}/members`],
      ['DELETE', `/api/v1/tenants/${b.slug}`, { confirm: b.slug }],
      ['PATCH', `/api/v1/tenants/${b.slug}/members/${bob.userId}`, { role: 'member' }],
      ['DELETE', `/api/v1/tenants/${b.slug}/members/${bob.userId}`],
      ['POST', `/api/v1/tenants/${b.slug}/invitations`, { email: 'x@example.com', role: 'member' }],
      ['GET', `/api/v1/tenants/${b.slug}/invitations`],
      ['DELETE', `/api/v1/tenants/${b.slug}/invitations/${bInvitation.invitation.id}`],
      ['POST', `/api/v1/tenants/${b.slug}/api-keys`, { name: 'x', scopes: ['members:read'] }],
      ['GET', `/api/v1/tenants/${b.slug}/api-keys`],
      ['DELETE', `/api/v1/tenants/${b.slug}/api-keys/${bKey.apiKey.id}`],
      ['GET', `/api/v1/tenants/${b.slug}/audit`],
      ['GET', `/api/v1/tenants/${b.slug}/audit/verify`],
      ['GET', `/api/v1/tenants/${b.slug}/audit/export`],
      // A's own slug with B's ids.
      ['PATCH', `/api/v1/tenants/${a.slug}/members/${bob.userId}`, { role: 'member' }],
      ['DELETE', `/api/v1/tenants/${a.slug}/members/${bob.userId}`],
      ['DELETE', `/api/v1/tenants/${a.slug}/invitations/${bInvitation.invitation.id}`],
      ['DELETE', `/api/v1/tenants/${a.slug}/api-keys/${bKey.apiKey.id}`],
    ];
    for (const who of [alice, aKey.key] as const) {
      for (const [method, path, body] of attempts) {
        const res = await call(method, path, who, body);
        // `instance` only echoes the URL the caller sent; everything else must be free of B's data.
        const { instance: _echo, ...answer } = (await res.json()) as Record<string, unknown>;
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
        for (const secret of bSecrets) expect(JSON.stringify(answer)).not.toContain(secret);
      }
    }
    // B is untouched: bob is still owner, the invitation and key still work.
    expect((await call('GET', `/api/v1/tenants/${b.slug}/members`, bKey.key)).status).toBe(200);
    expect((await call('GET', `/api/v1/tenants/${b.slug}/invitations`, bob)).status).toBe(200);
  });

  it('lets an owner delete the tenant, after which it is gone for everyone', async () => {
    const alice = await person('alice');
    const doomed = await tenantOf(alice);
    const mistyped = await call('DELETE', `/api/v1/tenants/${doomed.slug}`, alice, { confirm: 'something-else' });
    expect(mistyped.status).toBe(400);
    expect(((await mistyped.json()) as { code: string }).code).toBe('confirmation_mismatch');
    expect((await call('DELETE', `/api/v1/tenants/${doomed.slug}`, alice, { confirm: doomed.slug })).status).toBe(204);
    expect((await call('GET', `/api/v1/tenants/${doomed.slug}/members`, alice)).status).toBe(404);
    const mine = (await (await call('GET', '/api/v1/tenants', alice)).json()) as { tenants: unknown[] };
    expect(mine.tenants).toEqual([]);
  });

  it('publishes OpenAPI 3.1 for every route', async () => {
    const res = await fetch(`${api.url}/api/docs`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of routes) expect(doc.paths[route.path]?.[route.method]).toBeDefined();
  });
});
