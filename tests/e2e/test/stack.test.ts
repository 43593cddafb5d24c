import { readinessResponse } from '@gatehouse/contracts';
import { TcpProxy, testAppDatabaseUrl, testRedisUrl, waitFor } from '@gatehouse/testing';
import { startStack, type Stack } from './stack.js';

const target = (url: string) => ({
  host: new URL(url).hostname,
  port: Number(new URL(url).port || (url.startsWith('redis') ? 6379 : 5432)),
});

describe('the running platform (api + worker + web as processes)', () => {
  let stack: Stack;
  let redis: TcpProxy;
  let postgres: TcpProxy;

  beforeAll(async () => {
    redis = await TcpProxy.start(target(testRedisUrl()));
    postgres = await TcpProxy.start(target(testAppDatabaseUrl()));
    stack = await startStack({
      redisUrl: redis.urlFor(testRedisUrl()),
      databaseUrl: postgres.urlFor(testAppDatabaseUrl()),
    });
  });

  afterAll(async () => {
    await Promise.all([redis.restore(), postgres.restore()]);
    await stack?.stop();
    await Promise.all([redis.close(), postgres.close()]);
  });

  async function readiness(url: string) {
    const res = await fetch(`${url}/readyz`);
    return { status: res.status, body: readinessResponse.parse(await res.json()) };
  }

  it('serves a console page showing data fetched from the api', async () => {
    const { version } = (await (await fetch(`${stack.apiUrl}/api/v1/system/status`)).json()) as { version: string };
    const html = await (await fetch(stack.webUrl)).text();
    expect(html).toContain('Platform status');
    expect(html).toMatch(
      new RegExp(`data-testid="status-summary">Gatehouse (<!-- -->)?${version.replace(/\./g, '\\.')}`),
    );
    expect(html).toMatch(/data-testid="check-postgres">.*up/s);
    // Anyone may read this page: it does not say how many tenants the platform serves.
    expect(html).not.toContain('tenant-count');
  });

  it('carries a heartbeat from the api through the queue to the worker', async () => {
    const age = await waitFor('worker heartbeat', async () => {
      const body = (await (await fetch(`${stack.apiUrl}/api/v1/system/status`)).json()) as {
        worker: { lastHeartbeatAgeSeconds: number | null };
      };
      return body.worker.lastHeartbeatAgeSeconds ?? undefined;
    });
    expect(age).toBeLessThan(30);
  });

  it('writes structured JSON logs with request ids, without secrets', async () => {
    await fetch(`${stack.apiUrl}/api/v1/system/status`, {
      headers: { 'x-request-id': 'e2e-log-check', authorization: 'Bearer canary-e2e-token' },
    });
    const line = await waitFor('request log line', async () =>
      stack.api
        .output()
        .split('\n')
        .find((l) => l.includes('"requestId":"e2e-log-check"')),
    );
    const entry = JSON.parse(line) as { level: string; service: string; res: { statusCode: number } };
    expect(entry).toMatchObject({ level: 'info', service: 'api', res: { statusCode: 200 } });

    // The MCP endpoint logs its requests itself (no pino-http there): same id handling, no headers.
    const mcp = await fetch(`${stack.apiUrl}/t/no-such-tenant/mcp/nowhere?token=canary-e2e-query`, {
      method: 'POST',
      headers: {
        'x-request-id': 'e2e-mcp-log-check',
        authorization: 'Bearer canary-e2e-token',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'x', arguments: { q: 'canary-e2e-argument' } },
      }),
    });
    expect(mcp.headers.get('x-request-id')).toBe('e2e-mcp-log-check');
    const mcpLine = await waitFor('MCP request log line', async () =>
      stack.api
        .output()
        .split('\n')
        .find((l) => l.includes('"requestId":"e2e-mcp-log-check"') && l.includes('request completed')),
    );
    expect(JSON.parse(mcpLine)).toMatchObject({
      level: 'info',
      service: 'api',
      method: 'POST',
      url: '/t/no-such-tenant/mcp/nowhere?token=[redacted]',
      rpc: 'tools/call',
      statusCode: mcp.status,
      responseTime: expect.any(Number),
    });
    const unnamed = await fetch(`${stack.apiUrl}/t/no-such-tenant/mcp/nowhere`, { method: 'POST', body: '{}' });
    expect(unnamed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(stack.api.output()).not.toContain('canary-e2e-token');
    expect(stack.api.output()).not.toContain('canary-e2e-query');
    expect(stack.api.output()).not.toContain('canary-e2e-argument');
  });

  /** Waits until `url`/readyz answers `status`, and returns the parsed report. */
  function readinessBecomes(what: string, url: string, status: 200 | 503) {
    return waitFor(
      what,
      async () => {
        const r = await readiness(url);
        return r.status === status ? r.body : undefined;
      },
      { timeoutMs: 30_000 },
    );
  }

  it.each([
    ['Redis', 'redis', () => redis],
    ['PostgreSQL', 'postgres', () => postgres],
  ] as const)(
    'reports %s down with 503 on api and worker, then recovers without a restart',
    async (_label, name, proxy) => {
      await proxy().cut();
      expect((await readinessBecomes('api 503', stack.apiUrl, 503)).down).toEqual([name]);
      if (name === 'postgres') {
        // An MCP request that fails for want of PostgreSQL: a JSON-RPC error, and what the api logs about it carries
        // the request's id (the MCP endpoint runs each request in a logging context of its own).
        const failed = await fetch(`${stack.apiUrl}/t/outage-${process.pid}/mcp/nowhere`, {
          method: 'POST',
          headers: {
            'x-request-id': 'e2e-mcp-outage',
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
        // Unavailable, not broken: 503 with when to come back.
        expect(failed.status).toBe(503);
        expect(failed.headers.get('retry-after')).toBe('5');
        expect(((await failed.json()) as { error: { code: number } }).error.code).toBe(-32603);
        const logged = await waitFor('the failed MCP request logged with its id', async () =>
          stack.api
            .output()
            .split('\n')
            .find((l) => l.includes('"requestId":"e2e-mcp-outage"') && l.includes('unhandled error')),
        );
        expect(JSON.parse(logged)).toMatchObject({ level: 'error', requestId: 'e2e-mcp-outage' });
      }
      expect((await readinessBecomes('worker 503', stack.workerUrl, 503)).down).toContain(name);
      // The console keeps working and says what is wrong — which dependency, not the driver's reason (hosts, ports),
      // which only the operators' /readyz gives.
      expect(await (await fetch(stack.webUrl)).text()).toMatch(new RegExp(`data-testid="check-${name}">.*down`, 's'));
      const status = (await (await fetch(`${stack.apiUrl}/api/v1/system/status`)).json()) as {
        api: { checks: Record<string, { status: string; error?: string }> };
      };
      expect(status.api.checks[name]).toEqual({ status: 'down', latencyMs: expect.any(Number) });
      expect((await readiness(stack.apiUrl)).body.checks[name]?.error).toEqual(expect.any(String));

      await proxy().restore();
      await readinessBecomes('api recovers', stack.apiUrl, 200);
      await readinessBecomes('worker recovers', stack.workerUrl, 200);
    },
  );

  it('shuts down cleanly on SIGTERM', async () => {
    const [api, worker] = await Promise.all([stack.api.stop(), stack.worker.stop()]);
    expect(api).toEqual({ code: 0, signal: null });
    expect(worker).toEqual({ code: 0, signal: null });
    expect(stack.worker.output()).toContain('"msg":"worker stopped"');
  });
});
