import { readinessResponse } from '@gatehouse/contracts';
import { TcpProxy, testAppDatabaseUrl, testDatabaseUrl, testRedisUrl, waitFor } from '@gatehouse/testing';
import { startApi, type RunningApi } from './helpers.js';

const hostPort = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });

describe('health endpoints', () => {
  let api: RunningApi;
  let redisProxy: TcpProxy;
  let postgresProxy: TcpProxy;

  beforeAll(async () => {
    // Real Postgres and Redis behind loopback proxies, so a test can take one away without stopping shared servers.
    redisProxy = await TcpProxy.start(hostPort(testRedisUrl()));
    postgresProxy = await TcpProxy.start({
      ...hostPort(testAppDatabaseUrl()),
      port: Number(new URL(testAppDatabaseUrl()).port || 5432),
    });
    api = await startApi({
      REDIS_URL: redisProxy.urlFor(testRedisUrl()),
      DATABASE_URL: postgresProxy.urlFor(testAppDatabaseUrl()),
    });
  });

  afterAll(async () => {
    await redisProxy.restore();
    await postgresProxy.restore();
    await api.close();
    await redisProxy.close();
    await postgresProxy.close();
  });

  async function ready(): Promise<{ status: number; body: ReturnType<typeof readinessResponse.parse> }> {
    const res = await fetch(`${api.url}/readyz`);
    return { status: res.status, body: readinessResponse.parse(await res.json()) };
  }

  it('answers /healthz without touching dependencies', async () => {
    const res = await fetch(`${api.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'api' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is ready when Postgres and Redis answer', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      down: [],
      checks: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('reports 503 naming Redis while it is down, and recovers by itself', async () => {
    await redisProxy.cut();
    const down = await waitFor('readyz to report redis down', async () => {
      const result = await ready();
      return result.status === 503 ? result : undefined;
    });
    expect(down.body.down).toEqual(['redis']);
    expect(down.body.checks.postgres?.status).toBe('up');

    await redisProxy.restore();
    const back = await waitFor('readyz to recover', async () => {
      const result = await ready();
      return result.status === 200 ? result : undefined;
    });
    expect(back.body.down).toEqual([]);
  });

  it('reports 503 naming Postgres while it is down, and recovers by itself', async () => {
    await postgresProxy.cut();
    const down = await waitFor('readyz to report postgres down', async () => {
      const result = await ready();
      return result.status === 503 ? result : undefined;
    });
    expect(down.body.down).toEqual(['postgres']);

    await postgresProxy.restore();
    await waitFor('readyz to recover', async () => ((await ready()).status === 200 ? true : undefined));
  });

  it('keeps a sane request id from the caller and replaces an unsafe one', async () => {
    const kept = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'edge-7f3a' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-7f3a');
    const replaced = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'a b c' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('readiness refuses a connection that would bypass row-level security', () => {
  it('reports postgres down while DATABASE_URL is a superuser', async () => {
    const api = await startApi({ DATABASE_URL: testDatabaseUrl() }); // the run's owner: a superuser here
    try {
      const res = await fetch(`${api.url}/readyz`);
      expect(res.status).toBe(503);
      const body = readinessResponse.parse(await res.json());
      expect(body.down).toEqual(['postgres']);
      expect(body.checks.postgres?.error).toBe(
        'DATABASE_URL connects as a role that bypasses row-level security; use gatehouse_app',
      );
    } finally {
      await api.close();
    }
  });
});
