// Makes sure PostgreSQL and Redis answer at the configured URLs: reuse running servers; else start locally
// installed ones; else `docker compose up -d postgres redis` where a Docker engine runs; else say what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

async function postgresAnswers(url) {
  const target = new URL(url);
  target.pathname = '/postgres';
  const client = new pg.Client({ connectionString: target.toString(), connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error.code ?? error.message };
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisAnswers(url) {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error.code ?? error.message };
  } finally {
    client.disconnect();
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0;
}

function dockerEngineRuns() {
  return has('docker') && run('docker', ['info']);
}

function startLocalPostgres() {
  if (has('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    let started = false;
    for (const version of readdirSync('/etc/postgresql')) {
      started = run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']) || started;
    }
    return started ? 'the local PostgreSQL cluster (pg_ctlcluster)' : undefined;
  }
  return undefined;
}

function startLocalRedis(url) {
  if (!has('redis-server')) return undefined;
  const { port } = new URL(url);
  const ok = run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '-::1',
    '--port',
    port || '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tmpdir(),
  ]);
  return ok ? 'a local redis-server' : undefined;
}

async function waitUntil(check, url, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if ((await check(url)).ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

const SERVICES = {
  postgres: {
    label: 'PostgreSQL',
    // The owner's URL: the app role cannot log in before the first migration has created it.
    variable: 'MIGRATION_DATABASE_URL',
    check: postgresAnswers,
    startLocal: () => startLocalPostgres(),
    install: 'Debian/Ubuntu: sudo apt-get install -y postgresql · macOS: brew install postgresql@16',
  },
  redis: {
    label: 'Redis',
    variable: 'REDIS_URL',
    check: redisAnswers,
    startLocal: (url) => startLocalRedis(url),
    install: 'Debian/Ubuntu: sudo apt-get install -y redis-server · macOS: brew install redis',
  },
};

/** Resolves when both services answer; throws an Error whose message says exactly what to do otherwise. */
export async function ensureServices(env, root, log) {
  const missing = [];
  for (const [name, service] of Object.entries(SERVICES)) {
    const url = env[service.variable];
    if (!url) throw new Error(`${service.variable} is not set (see .env.example)`);
    const first = await service.check(url);
    if (first.ok) {
      log(`${service.label}: reusing the server at ${new URL(url).host}`);
      continue;
    }
    const host = new URL(url).hostname;
    // A server that answers but refuses the sign-in: starting another will not help — say what will.
    if (name === 'postgres' && ['28P01', '28000'].includes(first.reason)) {
      const { username } = new URL(url);
      throw new Error(
        `PostgreSQL at ${new URL(url).host} refuses to let "${decodeURIComponent(username)}" sign in (${first.reason}). ` +
          `Gatehouse signs in with ${service.variable} from .env. Either allow that role to sign in on ` +
          `127.0.0.1 (trust in pg_hba.conf), give it the password from .env (sudo -u postgres psql -c ` +
          `"ALTER ROLE ${decodeURIComponent(username)} PASSWORD '…'"), or point ${service.variable} at an account ` +
          'that owns databases.',
      );
    }
    if (!LOCAL_HOSTS.has(host)) {
      throw new Error(
        `${service.label} at ${new URL(url).host} does not answer (${first.reason}); check ${service.variable}.`,
      );
    }
    const how = service.startLocal(url);
    if (how && (await waitUntil(service.check, url, 30))) {
      log(`${service.label}: started ${how}`);
      continue;
    }
    missing.push(name);
  }
  if (missing.length === 0) return;
  if (dockerEngineRuns()) {
    log(`starting ${missing.join(' and ')} with docker compose`);
    const up = spawnSync('docker', ['compose', 'up', '-d', '--wait', ...missing], { cwd: root, stdio: 'inherit', env });
    if (up.status === 0) {
      const stillDown = [];
      for (const name of missing) {
        if (!(await waitUntil(SERVICES[name].check, env[SERVICES[name].variable], 60))) stillDown.push(name);
      }
      if (stillDown.length === 0) return;
      missing.splice(0, missing.length, ...stillDown);
    }
  }
  const lines = missing.map((name) => {
    const service = SERVICES[name];
    return `  - ${service.label} is not reachable at ${new URL(env[service.variable]).host} (${service.variable}). Install it (${service.install}), start a Docker engine, or point ${service.variable} at a running server.`;
  });
  throw new Error(`cannot reach the services Gatehouse needs:\n${lines.join('\n')}`);
}
