import { systemStatusResponse } from '@gatehouse/contracts';
import { createDatabase, TenantRepository } from '@gatehouse/db';
import { testDatabaseUrl } from '@gatehouse/testing';
import { startApi, type RunningApi } from './helpers.js';

describe('GET /api/v1/system/status', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('reports readiness and the queue from Redis — and, to anyone asking, nothing of the business it serves', async () => {
    const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
    await new TenantRepository(db).create({ slug: `status-${Date.now()}`, name: 'Status Co' });
    await db.$disconnect();

    const res = await fetch(`${api.url}/api/v1/system/status`);
    expect(res.status).toBe(200);
    const raw = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(raw)).not.toContain('tenants');
    const body = systemStatusResponse.parse(raw);
    expect(body.api.status).toBe('ready');
    // No worker consumes this test's queue: the heartbeat it enqueued is waiting.
    expect(body.worker.waitingJobs).toBeGreaterThanOrEqual(1);
    expect(body.worker.lastHeartbeatAgeSeconds).toBeNull();
  });
});
