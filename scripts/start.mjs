// `npm start`: one command from a fresh clone to a running platform. The bootstrap (scripts/bootstrap.mjs) has
// already provided Node 24 + pnpm and installed the workspace.
import { join } from 'node:path';
import { prepareDatabase } from './lib/database.mjs';
import { checkLocalPorts, loadEnvironment } from './lib/env.mjs';
import { ProcessGroup, waitForHttp } from './lib/processes.mjs';
import { ensureServices } from './lib/services.mjs';
import { root, say, turbo } from './lib/toolchain.mjs';

async function main() {
  const env = loadEnvironment(root, say);
  checkLocalPorts(env);
  await ensureServices(env, root, say);
  if (env.GATEHOUSE_SKIP_BUILD !== '1') {
    say('building (turbo caches unchanged packages)…');
    turbo(['run', 'build', '--output-logs=errors-only'], env);
  }
  // The local demo OAuth provider, so connections work offline: Gatehouse is registered there as a client, and the
  // demo tenant gets the matching provider app (seeded by prepareDatabase, secret sealed in the vault).
  const demoProviderPort = env.DEMO_PROVIDER_PORT ?? '4100';
  const demoProviderUrl = env.DEMO_PROVIDER_PUBLIC_URL ?? `http://127.0.0.1:${demoProviderPort}`;
  const publicApi = env.PUBLIC_API_URL ?? 'http://localhost:4000';
  // Ctrl-C while the database is migrated and seeded: the migration finishes (cut halfway, it would leave the database
  // refusing every later migration until repaired by hand), then nothing else starts.
  let interrupted = false;
  const finishFirst = (signal) => {
    // A closed terminal: writing to it fails from now on (EIO), which must not end this process before the migration.
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    if (!interrupted) say('finishing the database migration first, then stopping…');
    interrupted = true;
  };
  const preparing = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of preparing) process.on(signal, finishFirst);
  const seeded = await prepareDatabase({ ...env, DEMO_PROVIDER_URL: demoProviderUrl });
  for (const signal of preparing) process.off(signal, finishFirst);
  if (interrupted) {
    say('stopped; nothing was started.');
    process.exit(0);
  }

  const group = new ProcessGroup();
  let shuttingDown = false;
  const shutdown = async (reason, code) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${reason}: stopping api, worker, web and the demo provider…`);
    await group.stop(Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000) + 5_000);
    say('stopped api, worker, web and the demo provider; PostgreSQL and Redis keep running.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  // The terminal closed: the children have process groups of their own and would outlive it. Writing to the closed
  // terminal fails from now on (EIO): that must not stop the shutdown.
  process.on('SIGHUP', () => {
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    void shutdown('terminal closed', 0);
  });

  // Api and worker get only what they need: never the owner's or the maintenance role's credentials.
  const {
    MIGRATION_DATABASE_URL: _owner,
    MAINTENANCE_DATABASE_URL: _maintenance,
    POSTGRES_PASSWORD: _pg,
    GATEHOUSE_APP_PASSWORD: _appPassword,
    GATEHOUSE_MAINTENANCE_PASSWORD: _maintenancePassword,
    DEMO_ADMIN_PASSWORD: _demo,
    DEMO_PROVIDER_ADMIN_TOKEN: _demoProviderAdmin,
    DEMO_PROVIDER_CLIENT_SECRET: _demoClientSecret,
    ...appEnv
  } = env;
  // The console and the demo provider (a stand-in for a third party) need none of the application's secrets either:
  // no database, no vault keys, no Redis, no metrics token.
  const {
    DATABASE_URL: _database,
    VAULT_KEYS: _vault,
    VAULT_ACTIVE_KEY: _activeKey,
    REDIS_URL: _redis,
    METRICS_TOKEN: _metrics,
    ...publicEnv
  } = appEnv;
  const node = process.execPath;
  const nodeArgs = ['--enable-source-maps'];
  group.start('api', node, [...nodeArgs, 'dist/main.js'], { cwd: join(root, 'apps/api'), env: appEnv });
  group.start('worker', node, [...nodeArgs, 'dist/main.js'], { cwd: join(root, 'apps/worker'), env: appEnv });
  group.start(
    'web',
    node,
    [
      join(root, 'apps/web/node_modules/next/dist/bin/next'),
      'start',
      '--port',
      env.WEB_PORT ?? '3000',
      // Like the api and worker: this machine only, unless WEB_HOST says otherwise.
      '--hostname',
      env.WEB_HOST ?? '127.0.0.1',
    ],
    { cwd: join(root, 'apps/web'), env: { ...publicEnv, NODE_ENV: 'production' } },
  );
  // The demo provider's admin token and client registration are for it alone.
  group.start('demo-provider', node, [...nodeArgs, 'dist/main.js'], {
    cwd: join(root, 'apps/demo-provider'),
    env: {
      ...publicEnv,
      DEMO_PROVIDER_ADMIN_TOKEN: env.DEMO_PROVIDER_ADMIN_TOKEN,
      DEMO_PROVIDER_PORT: demoProviderPort,
      DEMO_PROVIDER_CLIENTS: JSON.stringify(
        env.DEMO_PROVIDER_CLIENT_SECRET
          ? [
              {
                client_id: 'gatehouse-demo',
                client_secret: env.DEMO_PROVIDER_CLIENT_SECRET,
                redirect_uris: [`${publicApi}/api/v1/connections/callback`],
              },
            ]
          : [],
      ),
    },
  });
  group.firstUnexpectedExit().then(({ name, code, signal }) => {
    if (!shuttingDown) void shutdown(`${name} exited (${code ?? signal})`, 1);
  });

  const apiUrl = `http://127.0.0.1:${env.API_PORT ?? 4000}`;
  const workerUrl = `http://127.0.0.1:${env.WORKER_PORT ?? 4001}`;
  const webUrl = `http://127.0.0.1:${env.WEB_PORT ?? 3000}`;
  try {
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${demoProviderPort}/healthz`),
      waitForHttp(`${apiUrl}/readyz`),
      waitForHttp(`${workerUrl}/readyz`),
      waitForHttp(`${webUrl}/healthz`),
    ]);
  } catch (error) {
    // Never exit with the processes still running (they would hold the ports the next start needs).
    await shutdown(error.message, 1);
    return;
  }
  if (shuttingDown) return;

  const publicWeb = env.PUBLIC_WEB_URL ?? 'http://localhost:3000';
  process.stdout.write(
    [
      '',
      '  Gatehouse is running.',
      `    Console   ${publicWeb}`,
      `    API       ${publicApi}   (GET /healthz, /readyz, /api/v1/system/status)`,
      `    Worker    http://localhost:${env.WORKER_PORT ?? 4001}/readyz`,
      `    Demo OAuth provider   ${demoProviderUrl}   (offline stand-in for a third-party service)`,
      ...(seeded
        ? [
            `    Demo tenant "demo": sign in as admin@demo.gatehouse.local${env.DEMO_ADMIN_PASSWORD ? ' with DEMO_ADMIN_PASSWORD from .env' : ''}.`,
          ]
        : []),
      '  Press Ctrl-C to stop.',
      '',
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  process.stderr.write(`gatehouse: ${error.message}\n`);
  process.exit(1);
});
