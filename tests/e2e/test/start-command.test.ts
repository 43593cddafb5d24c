import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE, dropDatabase, MAINTENANCE_ROLE, migrateDatabase, roleUrl, withDatabaseName } from '@gatehouse/db';
import {
  freePort,
  runId,
  testDatabaseUrl,
  testRedisUrl,
  testRolePasswords,
  testVaultKeys,
  waitFor,
} from '@gatehouse/testing';
import { approveAtProvider, browserOf } from './connect-flow.js';
import { baseEnv, httpStatus, repoRoot } from './stack.js';

/** PIDs of live processes whose environment carries `marker` (i.e. everything `npm start` spawned). */
function processesMarkedWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(join('/proc', entry, 'environ'), 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * `npm start`'s script, detached like a terminal's foreground job (a Ctrl-C reaches its process group, not the stack's
 * own groups), its output collected.
 */
function startCommand(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts/start.mjs')], {
    env,
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { child, output: '', exited: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
  child.stdout.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  return run;
}

describe('npm start (scripts/start.mjs)', () => {
  const marker = `GATEHOUSE_E2E_MARK=${runId()}`;
  const databaseUrl = withDatabaseName(testDatabaseUrl(), `gatehouse_e2e_start_${runId()}`);

  afterAll(async () => {
    for (const pid of processesMarkedWith(marker)) process.kill(pid, 'SIGKILL');
    await dropDatabase(databaseUrl);
  });

  it('creates, migrates and seeds its database, serves every process, and leaves nothing behind on Ctrl-C', async () => {
    const [apiPort, workerPort, webPort, providerPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const env = baseEnv({
      NODE_ENV: 'development',
      GATEHOUSE_SKIP_BUILD: '1', // the test run has just built everything; nested turbo runs are not allowed
      MIGRATION_DATABASE_URL: databaseUrl,
      DATABASE_URL: roleUrl(databaseUrl, APP_ROLE, testRolePasswords().app),
      MAINTENANCE_DATABASE_URL: roleUrl(databaseUrl, MAINTENANCE_ROLE, testRolePasswords().maintenance),
      VAULT_KEYS: testVaultKeys(),
      DEMO_ADMIN_PASSWORD: 'demo owner password for e2e',
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: `e2e-start-${runId()}`,
      API_PORT: String(apiPort),
      WORKER_PORT: String(workerPort),
      WEB_PORT: String(webPort),
      DEMO_PROVIDER_PORT: String(providerPort),
      DEMO_PROVIDER_ADMIN_TOKEN: 'demo-provider-admin-token-for-e2e',
      API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
      PUBLIC_API_URL: `http://localhost:${apiPort}`,
      PUBLIC_WEB_URL: `http://localhost:${webPort}`,
      [marker.split('=')[0]!]: marker.split('=')[1]!,
    });
    const run = startCommand(env);
    const { child, exited } = run;

    try {
      await waitFor(
        'the "Gatehouse is running" banner',
        async () => (run.output.includes('Gatehouse is running.') ? true : undefined),
        {
          timeoutMs: 90_000,
        },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${run.output}`);
    }
    expect(run.output).toContain(`Console   http://localhost:${webPort}`);
    expect(run.output).toContain('seed: demo tenant "demo" created');
    expect(await httpStatus(`http://127.0.0.1:${apiPort}/readyz`)).toBe(200);
    const page = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
    expect(page).toMatch(/data-testid="check-postgres">.*up/s);
    expect(processesMarkedWith(marker).length).toBeGreaterThanOrEqual(5); // start + api + worker + web + provider
    // Nothing listens beyond this machine unless told to: from the machine's own network address, every port is closed.
    const outward = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
    if (outward !== undefined)
      for (const port of [apiPort, workerPort, webPort, providerPort])
        expect(await tcpOpens(outward, port)).toBe(false);
    // The demo provider runs, and its admin token reached it and nothing else start.mjs spawned.
    expect(run.output).toContain(`Demo OAuth provider   http://127.0.0.1:${providerPort}`);
    const stats = await fetch(`http://127.0.0.1:${providerPort}/admin/stats`, {
      headers: { authorization: 'Bearer demo-provider-admin-token-for-e2e' },
    });
    expect(stats.status).toBe(200);
    expect(processesMarkedWith('DEMO_PROVIDER_ADMIN_TOKEN=demo-provider-admin-token-for-e2e')).toHaveLength(2);
    // The application's database credentials reached start.mjs, api and worker — not the console or the provider.
    expect(processesMarkedWith(`DATABASE_URL=${env.DATABASE_URL}`)).toHaveLength(3);
    // The seeded demo owner can sign in with the configured password.
    const signIn = await fetch(`http://127.0.0.1:${apiPort}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.gatehouse.local', password: 'demo owner password for e2e' }),
    });
    expect(signIn.status).toBe(200);
    // The demo tenant has the demo provider configured: its owner connects it through the real redirects, offline.
    const owner = {
      cookie: signIn.headers.get('set-cookie')!.split(';')[0]!,
      csrf: ((await signIn.json()) as { csrfToken: string }).csrfToken,
    };
    const apps = await fetch(`http://127.0.0.1:${apiPort}/api/v1/tenants/demo/provider-apps`, {
      headers: { cookie: owner.cookie },
    });
    expect(((await apps.json()) as { apps: unknown[] }).apps).toEqual([
      expect.objectContaining({
        providerId: 'demo',
        settings: { baseUrl: `http://127.0.0.1:${providerPort}` },
        redirectUri: `http://localhost:${apiPort}/api/v1/connections/callback`,
      }),
    ]);
    const started = await fetch(`http://127.0.0.1:${apiPort}/api/v1/tenants/demo/connections/demo/authorize`, {
      method: 'POST',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['notes:write'] }),
    });
    const { authorizationUrl } = (await started.json()) as { authorizationUrl: string };
    const browser = browserOf(owner);
    const callback = await approveAtProvider(browser, `http://127.0.0.1:${providerPort}`, authorizationUrl, 'demo');
    const connected = await browser.request(callback.replace('localhost', '127.0.0.1'));
    expect(connected.status).toBe(200);
    const connections = await fetch(`http://127.0.0.1:${apiPort}/api/v1/tenants/demo/connections`, {
      headers: { cookie: owner.cookie },
    });
    expect(((await connections.json()) as { connections: unknown[] }).connections).toEqual([
      expect.objectContaining({ providerId: 'demo', accountLabel: 'demo', scopes: ['notes:read', 'notes:write'] }),
    ]);

    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(run.output).toContain('stopped api, worker, web and the demo provider; PostgreSQL and Redis keep running.');
    await waitFor(
      'every spawned process to be gone',
      async () => (processesMarkedWith(marker).length === 0 ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    await expect(fetch(`http://127.0.0.1:${apiPort}/healthz`)).rejects.toThrow();
  });

  it('refuses, before starting anything, a console port its public URL does not name', async () => {
    const run = startCommand(
      baseEnv({ WEB_PORT: '3999', PUBLIC_WEB_URL: 'http://localhost:3000', GATEHOUSE_SKIP_BUILD: '1' }),
    );
    expect(await run.exited).toBe(1);
    expect(run.output).toContain(
      'gatehouse: PUBLIC_WEB_URL is http://localhost:3000 but WEB_PORT is 3999: set both to the same port',
    );
    expect(run.output).not.toContain('building');
  });

  it('Ctrl-C while a new database is migrated: the migration finishes, nothing starts, and the database stays usable', async () => {
    const fresh = withDatabaseName(testDatabaseUrl(), `gatehouse_e2e_start_ctrlc_${runId()}`);
    const interruptedMarker = `GATEHOUSE_E2E_MARK=${runId()}-ctrlc`;
    const run = startCommand(
      baseEnv({
        NODE_ENV: 'development',
        GATEHOUSE_SKIP_BUILD: '1',
        MIGRATION_DATABASE_URL: fresh,
        DATABASE_URL: roleUrl(fresh, APP_ROLE, testRolePasswords().app),
        MAINTENANCE_DATABASE_URL: roleUrl(fresh, MAINTENANCE_ROLE, testRolePasswords().maintenance),
        VAULT_KEYS: testVaultKeys(),
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: `e2e-start-ctrlc-${runId()}`,
        [interruptedMarker.split('=')[0]!]: interruptedMarker.split('=')[1]!,
      }),
    );
    const { child, exited } = run;
    try {
      // The terminal's Ctrl-C: the whole foreground process group, as soon as the database exists.
      await waitFor('the new database', async () => (run.output.includes('created database') ? true : undefined), {
        timeoutMs: 60_000,
      });
      process.kill(-child.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      expect(run.output).toContain('finishing the database migration first');
      expect(run.output).toContain('stopped; nothing was started.');
      expect(run.output).not.toContain('Gatehouse is running.');
      expect(processesMarkedWith(interruptedMarker)).toEqual([]);
      // Every migration finished: the next deploy has nothing to repair (an interrupted one fails it with P3009).
      await expect(migrateDatabase(fresh)).resolves.toBeUndefined();
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${run.output}`);
    } finally {
      for (const pid of processesMarkedWith(interruptedMarker)) process.kill(pid, 'SIGKILL');
      await dropDatabase(fresh);
    }
  }, 120_000);
});

/** Whether a TCP connection to host:port is accepted. */
function tcpOpens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
