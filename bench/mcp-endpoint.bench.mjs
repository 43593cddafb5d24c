// A tool call through Gatehouse's hosted MCP endpoint, beside the MCP SDK alone measured in the same run:
//   - Gatehouse: the built api as its own process — Host/Origin checks, server lookup, opaque token lookup in
//     PostgreSQL, membership check, session from Redis, a fresh MCP server, an audit record written before the
//     response leaves;
//   - baseline: a bare SDK server (fresh server + stateless transport per request, one tool, no auth), also its
//     own process (mcp-baseline-server.mjs).
// Both answer `tools/call test_simple_text` over SSE to the same raw HTTP client in this process.
// Usage: npm run bench -- mcp-endpoint   (needs PostgreSQL and Redis as in .env; creates and drops its own database)
// Sizes: BENCH_MCP_CALLS (2,000), BENCH_CONCURRENCY (16). BENCH_API_NODE_ARGS adds Node flags to the api, e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes.
import { spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createScratchDatabase } from '@gatehouse/db';
import { environment, machine, row, throughput } from './lib.mjs';

const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REDIRECT = 'http://127.0.0.1:9/callback';

const env = environment();
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

function start(name, args, childEnv) {
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, name };
}

async function until(what, probe, timeoutMs = 30_000) {
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
async function authorize(apiUrl, authorizationUrl, email, password) {
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
async function post(url, headers, message) {
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
  if (response.status !== 200 || (!text.includes('simple text response') && message.method === 'tools/call'))
    throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`);
  return response;
}

const server = env.TEST_DATABASE_URL ?? env.MIGRATION_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const scratch = await createScratchDatabase(server, 'bench_mcp');
const processes = [];
try {
  console.log(`Gatehouse benchmark: hosted MCP endpoint — ${machine()}`);
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = start(
    'api',
    [
      ...(process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      join(import.meta.dirname, '..', 'apps', 'api', 'dist', 'main.js'),
    ],
    {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: scratch.appUrl,
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
      VAULT_KEYS: `v1:${randomBytes(32).toString('base64')}`,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      PUBLIC_API_URL: apiUrl,
    },
  );
  const baseline = start('baseline', [join(import.meta.dirname, 'mcp-baseline-server.mjs')], {
    PATH: process.env.PATH,
  });
  processes.push(api, baseline);
  await until('api', async () => ((await fetch(`${apiUrl}/readyz`)).status === 200 ? true : undefined)).catch(
    (error) => {
      throw new Error(`${error.message}\n${api.output()}`);
    },
  );
  const baselineUrl = `http://127.0.0.1:${await until('baseline', async () => /^\d+$/m.exec(baseline.output())?.[0])}/mcp`;

  // A person, a tenant and a server with the conformance toolkit; a client registered and authorized by them.
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
    body: JSON.stringify({ slug: 'main', title: 'Main', toolkits: ['conformance'] }),
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

  const initialize = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
  };
  const auth = { authorization: `Bearer ${tokens.access_token}` };
  const sessionId = (await post(endpoint, auth, initialize)).headers.get('mcp-session-id');
  const gatehouseHeaders = { ...auth, 'mcp-session-id': sessionId };
  await post(baselineUrl, {}, initialize);
  const call = (i) => ({
    jsonrpc: '2.0',
    id: i + 1,
    method: 'tools/call',
    params: { name: 'test_simple_text', arguments: {} },
  });

  for (let i = 0; i < 200; i++) {
    await post(baselineUrl, {}, call(i)); // warm-up for both
    await post(endpoint, gatehouseHeaders, call(i));
  }
  const baseSequential = await throughput(CALLS, 1, (i) => post(baselineUrl, {}, call(i)));
  const ghSequential = await throughput(CALLS, 1, (i) => post(endpoint, gatehouseHeaders, call(i)));
  const baseConcurrent = await throughput(CALLS, CONCURRENCY, (i) => post(baselineUrl, {}, call(i)));
  const ghConcurrent = await throughput(CALLS, CONCURRENCY, (i) => post(endpoint, gatehouseHeaders, call(i)));

  console.log(`\ntools/call test_simple_text (${CALLS.toLocaleString('en-US')} calls each; SSE responses)`);
  console.log(row('baseline: bare MCP SDK server, 1 at a time', baseSequential));
  console.log(row('Gatehouse endpoint (auth, session, audit), 1 at a time', ghSequential, baseSequential));
  console.log(row(`baseline: bare MCP SDK server, ${CONCURRENCY} in flight`, baseConcurrent));
  console.log(row(`Gatehouse endpoint, ${CONCURRENCY} in flight`, ghConcurrent, baseConcurrent));
  console.log(
    `\nmean latency, 1 at a time: baseline ${(1000 / baseSequential).toFixed(2)} ms, Gatehouse ${(1000 / ghSequential).toFixed(2)} ms`,
  );
} finally {
  for (const { child } of processes) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await scratch.drop();
}
