import { randomUUID } from 'node:crypto';
import { AuditLog } from '@gatehouse/audit';
import { auditPage, problemDetails, providerCatalog, tenant, usageReport } from '@gatehouse/contracts';
import { AuditRepository, createDatabase, type Database } from '@gatehouse/db';
import { testAppDatabaseUrl } from '@gatehouse/testing';
import { callAs, signUp, startApi, type Person, type RunningApi } from './helpers.js';

/** Reads the console needs: the provider catalog, tool-call usage from the audit log, the audit table's tool filter. */
describe('console reads', () => {
  let api: RunningApi;
  let db: Database;
  let audit: AuditLog;
  let owner: Person;
  let member: Person;
  let slug: string;
  let tenantId: string;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_API_URL: 'https://gatehouse.example' });
    db = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 2 });
    audit = new AuditLog(new AuditRepository(db));
    [owner, member] = [await signUp(api, 'owner'), await signUp(api, 'member')];
    slug = `c-${randomUUID().slice(0, 8)}`;
    const created = tenant.parse(
      await (await callAs(api, 'POST', '/api/v1/tenants', owner, { slug, name: 'C' })).json(),
    );
    tenantId = created.id;
    const invited = (await (
      await callAs(api, 'POST', `/api/v1/tenants/${slug}/invitations`, owner, { email: member.email, role: 'member' })
    ).json()) as { token: string };
    await callAs(api, 'POST', '/api/v1/invitations/accept', member, { tenant: slug, token: invited.token });
  });

  afterAll(async () => {
    await api.close();
    await db.$disconnect();
  });

  /** A `tool.call` record as the tool executor writes it. */
  const toolCall = (tool: string, result: string, latencyMs: number, occurredAt: Date, extra = {}) =>
    audit.record({
      tenantId,
      actor: { type: 'user', id: member.userId },
      action: 'tool.call',
      target: { type: 'tool', id: tool },
      outcome: result === 'succeeded' ? 'success' : result === 'rate_limited' ? 'denied' : 'failure',
      occurredAt,
      metadata: { result, tool, latencyMs, clientId: 'client-1', ...extra },
    });

  it('lists the provider catalog with the redirect URI, to signed-in people only', async () => {
    expect((await fetch(`${api.url}/api/v1/providers`)).status).toBe(401);
    const catalog = providerCatalog.parse(await (await callAs(api, 'GET', '/api/v1/providers', member)).json());
    expect(catalog.redirectUri).toBe('https://gatehouse.example/api/v1/connections/callback');
    expect(catalog.providers.find((provider) => provider.id === 'demo')).toMatchObject({
      kind: 'oauth2',
      defaultScopes: ['notes:read'],
      settings: [expect.objectContaining({ name: 'baseUrl', kind: 'base_url' })],
    });
  });

  it('aggregates tool calls per day, tool and result, latency percentiles and rate-limit hits', async () => {
    const today = new Date();
    const yesterday = new Date(today.getTime() - 24 * 3600 * 1000);
    const longAgo = new Date(today.getTime() - 40 * 24 * 3600 * 1000);
    for (let i = 1; i <= 10; i++) await toolCall('demo.list_notes', 'succeeded', i * 10, today);
    await toolCall('demo.list_notes', 'rate_limited', 1, yesterday, { limit: 'user' });
    await toolCall('demo.get_note', 'failed', 500, yesterday, { clientId: 'client-2' });
    await toolCall('demo.get_note', 'succeeded', 5, longAgo); // outside the default 14 days

    const response = await callAs(api, 'GET', `/api/v1/tenants/${slug}/usage`, owner);
    expect(response.status).toBe(200);
    const report = usageReport.parse(await response.json());
    const day = (date: Date) => date.toISOString().slice(0, 10);
    expect(report.daily).toEqual([
      { day: day(yesterday), tool: 'demo.get_note', result: 'failed', calls: 1 },
      { day: day(yesterday), tool: 'demo.list_notes', result: 'rate_limited', calls: 1 },
      { day: day(today), tool: 'demo.list_notes', result: 'succeeded', calls: 10 },
    ]);
    const listNotes = report.latency.find((row) => row.tool === 'demo.list_notes')!;
    expect(listNotes.calls).toBe(11);
    expect(listNotes.p50).toBe(50);
    expect(listNotes.p99).toBeGreaterThan(90);
    expect(report.rateLimited).toEqual([{ day: day(yesterday), limit: 'user', hits: 1 }]);

    const wide = usageReport.parse(
      await (
        await callAs(
          api,
          'GET',
          `/api/v1/tenants/${slug}/usage?from=${new Date(today.getTime() - 60 * 24 * 3600 * 1000).toISOString()}`,
          owner,
        )
      ).json(),
    );
    expect(wide.daily.some((row) => row.day === day(longAgo))).toBe(true);
  });

  it('refuses usage to members, over-long windows and unknown parameters', async () => {
    const refused = await callAs(api, 'GET', `/api/v1/tenants/${slug}/usage`, member);
    expect(problemDetails.parse(await refused.json())).toMatchObject({ status: 403, code: 'forbidden' });
    const long = await callAs(api, 'GET', `/api/v1/tenants/${slug}/usage?from=2020-01-01T00:00:00Z`, owner);
    expect(problemDetails.parse(await long.json())).toMatchObject({ status: 400 });
    const unknown = await callAs(api, 'GET', `/api/v1/tenants/${slug}/usage?days=3`, owner);
    expect(problemDetails.parse(await unknown.json())).toMatchObject({ status: 400, code: 'validation_failed' });
    // Year 0000 parses, but PostgreSQL has no year zero: a clear 400, not the database's error as a 500.
    for (const path of [
      `/usage?from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z`,
      `/audit?from=0000-01-01T00:00:00Z`,
      `/audit/export?format=jsonl&to=0000-01-01T00:00:00Z`,
    ]) {
      const zero = await callAs(api, 'GET', `/api/v1/tenants/${slug}${path}`, owner);
      expect({ path, problem: problemDetails.parse(await zero.json()) }).toMatchObject({
        path,
        problem: { status: 400, code: 'validation_failed' },
      });
    }
    // A filter the database refuses: the CSV export answers a problem too, not a file cut off after its header.
    for (const format of ['csv', 'jsonl']) {
      const refusedExport = await callAs(
        api,
        'GET',
        `/api/v1/tenants/${slug}/audit/export?format=${format}&action=%00`,
        owner,
      );
      expect({ format, status: refusedExport.status, type: refusedExport.headers.get('content-type') }).toMatchObject({
        format,
        status: 400,
        type: expect.stringContaining('application/problem+json') as unknown,
      });
    }
    const stranger = await signUp(api, 'stranger');
    expect((await callAs(api, 'GET', `/api/v1/tenants/${slug}/usage`, stranger)).status).toBe(404);
  });

  it('filters the audit table by tool and by MCP client', async () => {
    const list = async (query: string) =>
      auditPage.parse(await (await callAs(api, 'GET', `/api/v1/tenants/${slug}/audit?${query}`, owner)).json()).events;
    const byTool = await list('tool=demo.get_note');
    expect(byTool).toHaveLength(2);
    expect(byTool.every((event) => event.targetId === 'demo.get_note')).toBe(true);
    const byClient = await list('client=client-2');
    expect(byClient.map((event) => [event.targetId, event.metadata.result])).toEqual([['demo.get_note', 'failed']]);
    expect(await list(`client=client-1&tool=demo.get_note`)).toHaveLength(1);
    const exported = await (
      await callAs(api, 'GET', `/api/v1/tenants/${slug}/audit/export?client=client-2`, owner)
    ).text();
    expect(exported.trim().split('\n')).toHaveLength(1);
  });
});
