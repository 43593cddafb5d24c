import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  startProcess,
  testAppDatabaseUrl,
  testPrefix,
  testRedisUrl,
  testVaultKeys,
  waitFor,
  type RunningProcess,
} from '@gatehouse/testing';

export const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');

/** The environment a real deployment would give the processes, minus anything inherited from this shell. */
export function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

export interface Stack {
  apiUrl: string;
  workerUrl: string;
  webUrl: string;
  api: RunningProcess;
  worker: RunningProcess;
  web: RunningProcess;
  stop(): Promise<void>;
}

export async function httpStatus(url: string): Promise<number> {
  return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;
}

/** Starts the built api, worker and web as separate processes, like `npm start` does. */
export async function startStack(urls: { databaseUrl?: string; redisUrl?: string } = {}): Promise<Stack> {
  const [apiPort, workerPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const env = baseEnv({
    DATABASE_URL: urls.databaseUrl ?? testAppDatabaseUrl(),
    VAULT_KEYS: testVaultKeys(),
    REDIS_URL: urls.redisUrl ?? testRedisUrl(),
    QUEUE_PREFIX: testPrefix(),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    WORKER_HOST: '127.0.0.1',
    WORKER_PORT: String(workerPort),
    API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
    PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`,
    PUBLIC_WEB_URL: `http://127.0.0.1:${webPort}`,
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  const node = process.execPath;
  const api = startProcess('api', node, ['dist/main.js'], { env, cwd: join(repoRoot, 'apps/api') });
  const worker = startProcess('worker', node, ['dist/main.js'], { env, cwd: join(repoRoot, 'apps/worker') });
  const web = startProcess(
    'web',
    node,
    [join(repoRoot, 'apps/web/node_modules/next/dist/bin/next'), 'start', '-p', String(webPort), '-H', '127.0.0.1'],
    {
      env: { ...env, NODE_ENV: 'production' },
      cwd: join(repoRoot, 'apps/web'),
    },
  );
  const stack: Stack = {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    workerUrl: `http://127.0.0.1:${workerPort}`,
    webUrl: `http://127.0.0.1:${webPort}`,
    api,
    worker,
    web,
    async stop() {
      await Promise.all([api.stop(), worker.stop(), web.stop()]);
    },
  };
  try {
    await waitFor('api ready', async () => ((await httpStatus(`${stack.apiUrl}/readyz`)) === 200 ? true : undefined), {
      timeoutMs: 30_000,
    });
    await waitFor(
      'worker ready',
      async () => ((await httpStatus(`${stack.workerUrl}/readyz`)) === 200 ? true : undefined),
      { timeoutMs: 30_000 },
    );
    await waitFor('web up', async () => ((await httpStatus(`${stack.webUrl}/healthz`)) === 200 ? true : undefined), {
      timeoutMs: 30_000,
    });
  } catch (error) {
    await stack.stop();
    throw new Error(
      `${(error as Error).message}\n--- api ---\n${api.output()}\n--- worker ---\n${worker.output()}\n--- web ---\n${web.output()}`,
    );
  }
  return stack;
}

export interface ApiProcess {
  url: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/** The console URL an api started alone links to (no web process listens there). */
export const API_ONLY_WEB_URL = 'http://127.0.0.1:1';

/** Starts the built api alone as a process (`extra` overrides the environment, e.g. NODE_ENV or a CA bundle). */
export async function startApiProcess(extra: Record<string, string> = {}, port?: number): Promise<ApiProcess> {
  const apiPort = port ?? (await freePort());
  const url = `http://127.0.0.1:${apiPort}`;
  const env = baseEnv({
    DATABASE_URL: testAppDatabaseUrl(),
    VAULT_KEYS: testVaultKeys(),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testPrefix(),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    PUBLIC_API_URL: url,
    PUBLIC_WEB_URL: API_ONLY_WEB_URL,
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Every api of a run registers clients from 127.0.0.1 under one Redis prefix: the per-address budget is
    // tested on its own (mcp-consents.test.ts, with a prefix of its own), not spent by the other files.
    OAUTH_REGISTRATIONS_PER_HOUR: '10000',
    OAUTH_AUTHORIZATIONS_PER_MINUTE: '100000',
    SIGN_UPS_PER_HOUR: '100000',
    ...extra,
  });
  const api = startProcess('api', process.execPath, ['dist/main.js'], { env, cwd: join(repoRoot, 'apps/api') });
  try {
    await waitFor('api ready', async () => ((await httpStatus(`${url}/readyz`)) === 200 ? true : undefined), {
      timeoutMs: 30_000,
    });
  } catch (error) {
    await api.stop();
    throw new Error(`${(error as Error).message}\n--- api ---\n${api.output()}`);
  }
  return {
    url: extra.PUBLIC_API_URL ?? url,
    process: api,
    async stop() {
      await api.stop();
    },
  };
}

export const DEMO_PROVIDER_ADMIN_TOKEN = 'e2e-demo-provider-admin-token';

export interface DemoProviderProcess {
  url: string;
  process: RunningProcess;
  /** Calls an /admin endpoint with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  stats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Starts the built demo provider as a process with the given clients registered. */
export async function startDemoProviderProcess(
  clients: { client_id: string; client_secret: string; redirect_uris: string[] }[],
  extra: Record<string, string> = {},
): Promise<DemoProviderProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = startProcess('demo-provider', process.execPath, ['dist/main.js'], {
    cwd: join(repoRoot, 'apps/demo-provider'),
    env: baseEnv({
      DEMO_PROVIDER_PORT: String(port),
      DEMO_PROVIDER_ADMIN_TOKEN,
      DEMO_PROVIDER_CLIENTS: JSON.stringify(clients),
      ...extra,
    }),
  });
  try {
    await waitFor(
      'demo provider ready',
      async () => ((await httpStatus(`${url}/healthz`)) === 200 ? true : undefined),
      {
        timeoutMs: 20_000,
      },
    );
  } catch (error) {
    await provider.stop();
    throw new Error(`${(error as Error).message}\n--- demo provider ---\n${provider.output()}`);
  }
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${DEMO_PROVIDER_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    url,
    process: provider,
    admin,
    async stats() {
      return (await (await admin('GET', '/admin/stats')).json()) as Record<string, number>;
    },
    async stop() {
      await provider.stop();
    },
  };
}

export interface WorkerProcess {
  url: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/** Starts the built worker alone as a process (tool calls, maintenance jobs). */
export async function startWorkerProcess(extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const worker = startProcess('worker', process.execPath, ['dist/main.js'], {
    cwd: join(repoRoot, 'apps/worker'),
    env: baseEnv({
      DATABASE_URL: testAppDatabaseUrl(),
      VAULT_KEYS: testVaultKeys(),
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: testPrefix(),
      WORKER_HOST: '127.0.0.1',
      WORKER_PORT: String(port),
      SHUTDOWN_TIMEOUT_MS: '5000',
      ...extra,
    }),
  });
  try {
    await waitFor('worker ready', async () => ((await httpStatus(`${url}/readyz`)) === 200 ? true : undefined), {
      timeoutMs: 30_000,
    });
  } catch (error) {
    await worker.stop();
    throw new Error(`${(error as Error).message}\n--- worker ---\n${worker.output()}`);
  }
  return {
    url,
    process: worker,
    async stop() {
      await worker.stop();
    },
  };
}
