// Shared helpers for benchmarks: the environment (same .env as npm start), a scratch database, and a timer.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '@gatehouse/db';
import { deleteKeysWithPrefix } from '@gatehouse/testing';
import { Redis } from 'ioredis';

export function environment() {
  const file = join(import.meta.dirname, '..', '.env');
  const env = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) env[match[1]] = match[2];
    }
  }
  return { ...env, ...process.env };
}

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
}

/** Runs `fn` `count` times with at most `concurrency` in flight; returns operations per second. */
export async function throughput(count, concurrency, fn) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await fn(i);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export function row(label, opsPerSecond, baseline) {
  const ratio = baseline ? ` (${(opsPerSecond / baseline).toFixed(2)}× baseline)` : '';
  return `  ${label.padEnd(52)} ${Math.round(opsPerSecond).toLocaleString('en-US').padStart(12)} ops/s${ratio}`;
}

export const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

export function start(name, args, childEnv) {
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, name };
}

export async function until(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Signs a person in and through consent like a browser would, returning the authorization code. */
export async function authorize(apiUrl, authorizationUrl, email, password) {
  const jar = new Map();
  const send = async (url, form) => {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  };
  let response = await send(authorizationUrl);
  for (let hop = 0; hop < 12; hop++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, apiUrl);
      if (next.origin !== new URL(apiUrl).origin) return next.searchParams.get('code');
      response = await send(next.toString());
      continue;
    }
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    const action = [...html.matchAll(/action="([^"]+)"/g)].map((m) => m[1]).find((a) => !a.endsWith('/abort'));
    if (!csrf || !action) throw new Error(`unexpected page ${response.status}: ${html.slice(0, 300)}`);
    const form = html.includes('name="password"') ? { csrf, email, password } : { csrf };
    response = await send(new URL(action, apiUrl).toString(), form);
  }
  throw new Error('authorization did not finish');
}

/** One JSON-RPC POST answered on an SSE stream; resolves when the stream ends. */
export async function post(url, headers, message, expect = 'simple text response') {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...headers,
    },
    body: JSON.stringify(message),
  });
  const text = await response.text();
  if (response.status !== 200 || (!text.includes(expect) && message.method === 'tools/call'))
    throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`);
  return response;
}

const REDIRECT = 'http://127.0.0.1:9/callback';

/**
 * Signs up a person, creates a tenant with one MCP server exposing `toolkits`, registers a client and authorizes it
 * as that person (sign-in and consent pages, PKCE). Returns the endpoint, the tokens and the console headers.
 */
export async function personWithServer(apiUrl, toolkits) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('base64url');
  const signUp = await fetch(`${apiUrl}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, displayName: 'Bench' }),
  });
  const session = await signUp.json();
  const admin = {
    'content-type': 'application/json',
    cookie: signUp.headers.get('set-cookie').split(';')[0],
    'x-csrf-token': session.csrfToken,
  };
  const slug = `bench-${randomBytes(3).toString('hex')}`;
  await fetch(`${apiUrl}/api/v1/tenants`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ slug, name: 'Bench' }),
  });
  const created = await fetch(`${apiUrl}/api/v1/tenants/${slug}/mcp-servers`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ slug: 'main', title: 'Main', toolkits }),
  });
  const endpoint = (await created.json()).endpoint;
  const registration = await fetch(`${apiUrl}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
  });
  const clientId = (await registration.json()).client_id;
  const verifier = randomBytes(32).toString('base64url');
  const authorizationUrl = new URL(`${apiUrl}/oauth/auth`);
  for (const [key, value] of Object.entries({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'mcp:tools',
    resource: endpoint,
    state: 'bench',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    authorizationUrl.searchParams.set(key, value);
  const code = await authorize(apiUrl, authorizationUrl.toString(), email, password);
  const tokens = await (
    await fetch(`${apiUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: clientId,
        code_verifier: verifier,
        resource: endpoint,
      }),
    })
  ).json();

  return { endpoint, tokens, admin, slug, email, password };
}

/** CPU time (user + system, ms) a process has used so far; undefined where /proc is not available. */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of every process named `name` (PostgreSQL's backends, Redis) on this machine; undefined if none. */
function cpuMsOfNamed(name) {
  let total;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
        total = (total ?? 0) + (cpuMsOf(entry) ?? 0);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    return undefined;
  }
  return total;
}

/** Where CPU time per call is counted besides a row's own processes: this load generator and the shared services. */
const alwaysCounted = {
  client: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
  redis: () => cpuMsOfNamed('redis-server'),
  postgres: () => cpuMsOfNamed('postgres'),
};

/**
 * Runs `fn` `count` times with at most `concurrency` in flight; returns ops/s and latency percentiles (ms), and, for
 * each of `processes` ({name: child process}) and of this process, Redis and PostgreSQL, the CPU time it used per call
 * (ms; Linux only). CPU per call varies far less between runs than throughput on a shared VM: compare changes by it.
 */
export async function measure(count, concurrency, fn, processes = {}) {
  const counted = {
    ...Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, () => cpuMsOf(child.pid)])),
    ...alwaysCounted,
  };
  const cpuBefore = Object.fromEntries(Object.entries(counted).map(([name, cpuMs]) => [name, cpuMs()]));
  const latencies = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const begin = performance.now();
        await fn(i);
        latencies[i] = performance.now() - begin;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const cpuPerCall = {};
  for (const [name, cpuMs] of Object.entries(counted)) {
    const before = cpuBefore[name];
    const after = cpuMs();
    if (before !== undefined && after !== undefined) cpuPerCall[name] = (after - before) / count;
  }
  return { opsPerSecond: count / seconds, p50: at(0.5), p99: at(0.99), cpuPerCall };
}

/** `  CPU per call: api 1.52 ms, worker 0.91 ms` (empty where it was not measured). */
export function cpuRow(result) {
  const entries = Object.entries(result.cpuPerCall ?? {});
  if (entries.length === 0) return '';
  const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
  return `      CPU per call: ${entries.map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`).join(', ')}; all ${total.toFixed(2)} ms`;
}

export function latencyRow(label, result, baseline) {
  const ratio = baseline ? ` ${(result.opsPerSecond / baseline.opsPerSecond).toFixed(2)}×` : '';
  return `  ${label.padEnd(50)} ${Math.round(result.opsPerSecond).toLocaleString('en-US').padStart(8)} calls/s${ratio.padEnd(7)}  p50 ${result.p50.toFixed(2).padStart(7)} ms  p99 ${result.p99.toFixed(2).padStart(7)} ms`;
}

/** The port a baseline server script prints on its first line, as its MCP URL. */
export async function baselineUrlOf(baseline) {
  return `http://127.0.0.1:${await until('baseline', async () => /^\d+$/m.exec(baseline.output())?.[0])}/mcp`;
}

/**
 * Initializes an MCP session at the Gatehouse endpoint (with `accessToken`) and at the baseline; returns the headers
 * Gatehouse calls need (token and session id).
 */
export async function initializeSessions(endpoint, accessToken, baselineUrl) {
  const initialize = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
  };
  const auth = { authorization: `Bearer ${accessToken}` };
  const sessionId = (await post(endpoint, auth, initialize)).headers.get('mcp-session-id');
  await post(baselineUrl, {}, initialize);
  return { ...auth, 'mcp-session-id': sessionId };
}

/**
 * What Gatehouse's processes (api, worker) of one benchmark share: its scratch database and Redis prefix, one vault
 * key, where the api is; quiet logs.
 */
export function stackEnv(env, scratch, apiUrl) {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: scratch.appUrl,
    REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: scratch.queuePrefix,
    VAULT_KEYS: `v1:${randomBytes(32).toString('base64')}`,
    PUBLIC_API_URL: apiUrl,
  };
}

/**
 * A database of the benchmark's own on the configured PostgreSQL server, and a Redis key prefix of its own
 * (`queuePrefix`, for QUEUE_PREFIX): `scratch.drop()` removes both, so runs leave no jobs, streams or counters behind.
 */
export async function benchDatabase(env, name) {
  const server = env.TEST_DATABASE_URL ?? env.MIGRATION_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const database = await createScratchDatabase(server, name);
  const queuePrefix = `bench-${randomBytes(4).toString('hex')}`;
  let usesRedis = false;
  return {
    ...database,
    get queuePrefix() {
      usesRedis = true;
      return queuePrefix;
    },
    async drop() {
      await database.drop();
      if (!usesRedis) return;
      const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
      try {
        await deleteKeysWithPrefix(redis, queuePrefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}
