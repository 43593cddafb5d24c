import { randomUUID } from 'node:crypto';
import {
  createdApiKey,
  createdInvitation,
  mcpServer,
  mcpServerList,
  problemDetails,
  tenant,
} from '@gatehouse/contracts';
import { callAs, signUp, startApi, type Person, type RunningApi } from './helpers.js';

describe('MCP servers as tenant objects', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_API_URL: 'https://gatehouse.example' });
  });

  afterAll(async () => {
    await api.close();
  });

  // With an https public URL the cookie is __Host- prefixed and Secure; a test client sends it back as is.
  const call = (method: string, path: string, who: Person | string, body?: unknown) =>
    callAs(api, method, path, who, body);
  const person = (label: string) => signUp(api, label);

  it('lets admins create, change and delete servers, members only read them, and audits every change', async () => {
    const [alice, bob] = [await person('alice'), await person('bob')];
    const acme = tenant.parse(
      await (
        await call('POST', '/api/v1/tenants', alice, { slug: `t-${randomUUID().slice(0, 8)}`, name: 'Acme' })
      ).json(),
    );
    const base = `/api/v1/tenants/${acme.slug}/mcp-servers`;

    const created = await call('POST', base, alice, { slug: 'main', title: 'Main', toolkits: ['conformance'] });
    expect(created.status).toBe(201);
    const server = mcpServer.parse(await created.json());
    expect(server).toMatchObject({
      slug: 'main',
      toolkits: ['conformance'],
      endpoint: `https://gatehouse.example/t/${acme.slug}/mcp/main`,
    });

    expect((await call('POST', base, alice, { slug: 'main', title: 'Again' })).status).toBe(409);
    const unknown = await call('POST', base, alice, { slug: 'other', title: 'X', toolkits: ['no-such-kit'] });
    expect(problemDetails.parse(await unknown.json())).toMatchObject({ status: 400, code: 'unknown_toolkit' });
    // A single tool must exist in its toolkit, not just name a known toolkit.
    const unknownTool = await call('POST', base, alice, {
      slug: 'other',
      title: 'X',
      tools: ['conformance.test_simple_text', 'conformance.no_such_tool'],
    });
    expect(problemDetails.parse(await unknownTool.json())).toMatchObject({
      status: 400,
      code: 'unknown_toolkit',
      detail: 'Unknown toolkit or tool: conformance.no_such_tool.',
    });
    expect((await call('POST', base, alice, { slug: 'Bad Slug', title: 'X' })).status).toBe(400);

    const updated = await call('PATCH', `${base}/main`, alice, {
      title: 'Main endpoint',
      tools: ['conformance.test_simple_text'],
    });
    expect(mcpServer.parse(await updated.json())).toMatchObject({
      title: 'Main endpoint',
      tools: ['conformance.test_simple_text'],
    });

    // A member can list servers but not change them.
    const invited = createdInvitation.parse(
      await (
        await call('POST', `/api/v1/tenants/${acme.slug}/invitations`, alice, { email: bob.email, role: 'member' })
      ).json(),
    );
    await call('POST', '/api/v1/invitations/accept', bob, { tenant: acme.slug, token: invited.token });
    expect(mcpServerList.parse(await (await call('GET', base, bob)).json()).servers.map((s) => s.slug)).toEqual([
      'main',
    ]);
    expect((await call('PATCH', `${base}/main`, bob, { title: 'Mine now' })).status).toBe(403);
    // What is kept from members is not named to them either (as in tools/list); admins see it all.
    await call('PATCH', `${base}/main`, alice, {
      tools: ['conformance.test_simple_text', 'conformance.test_tool_with_progress'],
      adminOnlyTools: ['conformance.test_tool_with_progress'],
    });
    expect(mcpServer.parse(await (await call('GET', `${base}/main`, bob)).json())).toMatchObject({
      tools: ['conformance.test_simple_text'],
      adminOnlyTools: [],
    });
    expect(mcpServer.parse(await (await call('GET', `${base}/main`, alice)).json())).toMatchObject({
      tools: ['conformance.test_simple_text', 'conformance.test_tool_with_progress'],
      adminOnlyTools: ['conformance.test_tool_with_progress'],
    });
    expect((await call('DELETE', `${base}/main`, bob)).status).toBe(403);

    expect((await call('DELETE', `${base}/main`, alice)).status).toBe(204);
    expect((await call('GET', `${base}/main`, alice)).status).toBe(404);
    const audit = (await (
      await call('GET', `/api/v1/tenants/${acme.slug}/audit?action=mcp_server.created`, alice)
    ).json()) as { events: unknown[] };
    expect(audit.events).toHaveLength(1);
  });

  it('changes a server only as it was loaded when asked (If-Match): a change made meanwhile is never overwritten', async () => {
    const alice = await person('alice-etag');
    const acme = tenant.parse(
      await (
        await call('POST', '/api/v1/tenants', alice, { slug: `t-${randomUUID().slice(0, 8)}`, name: 'Acme' })
      ).json(),
    );
    const url = `/api/v1/tenants/${acme.slug}/mcp-servers/main`;
    const created = await call('POST', `/api/v1/tenants/${acme.slug}/mcp-servers`, alice, {
      slug: 'main',
      title: 'Main',
      toolkits: ['conformance'],
    });
    const loaded = mcpServer.parse(await created.json());
    expect(created.headers.get('etag')).toBe(`"${loaded.revision}"`);
    const fetched = await call('GET', url, alice);
    expect(fetched.headers.get('etag')).toBe(`"${loaded.revision}"`);

    const patch = (body: unknown, ifMatch?: string) =>
      fetch(`${api.url}${url}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          cookie: alice.cookie,
          'x-csrf-token': alice.csrf,
          ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
        },
        body: JSON.stringify(body),
      });
    // Two admins loaded revision 1; the first saves, the second is refused and nothing of theirs is written.
    const first = await patch({ title: 'First' }, `"${loaded.revision}"`);
    expect(first.status).toBe(200);
    const afterFirst = mcpServer.parse(await first.json());
    expect(afterFirst.revision).not.toBe(loaded.revision);
    expect(first.headers.get('etag')).toBe(`"${afterFirst.revision}"`);
    const second = await patch({ title: 'Second', toolkits: [] }, `"${loaded.revision}"`);
    expect(second.status).toBe(412);
    expect(problemDetails.parse(await second.json())).toMatchObject({ status: 412, code: 'precondition_failed' });
    expect(mcpServer.parse(await (await call('GET', url, alice)).json())).toMatchObject({
      title: 'First',
      toolkits: ['conformance'],
    });
    // A weak tag of the current revision, `*`, or no header at all: the change is made.
    expect((await patch({ title: 'Weak' }, `W/"${afterFirst.revision}"`)).status).toBe(200);
    expect((await patch({ title: 'Any' }, '*')).status).toBe(200);
    const unconditional = await patch({ title: 'Unconditional' });
    expect(unconditional.status).toBe(200);
    // An unreadable tag matches nothing; a stale one stops a deletion too.
    expect((await patch({ title: 'x' }, 'garbage')).status).toBe(412);
    const current = mcpServer.parse(await unconditional.json());
    const remove = (ifMatch: string) =>
      fetch(`${api.url}${url}`, {
        method: 'DELETE',
        headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'if-match': ifMatch },
      });
    expect((await remove(`"${loaded.revision}"`)).status).toBe(412);
    expect((await remove(`"${current.revision}"`)).status).toBe(204);
  });

  it("never shows or changes another tenant's servers", async () => {
    const [alice, bob] = [await person('alice'), await person('bob')];
    const a = tenant.parse(
      await (await call('POST', '/api/v1/tenants', alice, { slug: `a-${randomUUID().slice(0, 8)}`, name: 'A' })).json(),
    );
    const b = tenant.parse(
      await (await call('POST', '/api/v1/tenants', bob, { slug: `b-${randomUUID().slice(0, 8)}`, name: 'B' })).json(),
    );
    await call('POST', `/api/v1/tenants/${b.slug}/mcp-servers`, bob, { slug: 'secret-server', title: 'B only' });
    const aKey = createdApiKey.parse(
      await (
        await call('POST', `/api/v1/tenants/${a.slug}/api-keys`, alice, {
          name: 'a',
          scopes: ['servers:read', 'servers:write', 'api_keys:write'],
        })
      ).json(),
    ).key;
    for (const who of [alice, aKey]) {
      for (const [method, path, body] of [
        ['GET', `/api/v1/tenants/${b.slug}/mcp-servers`],
        ['GET', `/api/v1/tenants/${b.slug}/mcp-servers/secret-server`],
        ['PATCH', `/api/v1/tenants/${b.slug}/mcp-servers/secret-server`, { title: 'mine' }],
        ['DELETE', `/api/v1/tenants/${b.slug}/mcp-servers/secret-server`],
        ['POST', `/api/v1/tenants/${b.slug}/mcp-servers`, { slug: 'x', title: 'x' }],
        ['GET', `/api/v1/tenants/${a.slug}/mcp-servers/secret-server`],
        ['DELETE', `/api/v1/tenants/${a.slug}/mcp-servers/secret-server`],
      ] as const) {
        const res = await call(method, path, who, body);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      }
    }
    expect(
      mcpServerList.parse(await (await call('GET', `/api/v1/tenants/${b.slug}/mcp-servers`, bob)).json()).servers,
    ).toHaveLength(1);
  });
});
