// A provider tool call, three ways side by side in one run, against the same local downstream (the demo provider's
// notes API, its own process):
//   (a) direct HTTP: GET /api/notes with the person's token, from this process;
//   (b) a bare MCP SDK Streamable-HTTP server whose tool makes that call (no auth, no queue; tool-baseline-server.mjs);
//   (c) Gatehouse: `tools/call demo.list_notes` on a hosted endpoint — OAuth token lookup, session, rate limits,
//       connection check, a BullMQ job run by the worker with the person's token from the vault, the answer back
//       through Redis, an audit record — api, worker and demo provider as separate processes;
//   (d) (b) with its tool run through a BullMQ queue by a bare worker process, answered on a Redis channel: the
//       floor of any design that puts every call through a queue and a worker, as issue 6 does.
// Usage: npm run bench -- tool-call   (needs PostgreSQL and Redis as in .env; creates and drops its own database)
// Sizes: BENCH_TOOL_CALLS (5,000), BENCH_CONCURRENCY (16), BENCH_WARMUP_CALLS (2,000 per path, at BENCH_CONCURRENCY,
// not measured: every process's hot code optimised before it is timed). BENCH_API_NODE_ARGS and BENCH_WORKER_NODE_ARGS add Node
// flags to the api and the worker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where their time goes;
// BENCH_ONLY_GATEHOUSE=1 runs only (c), at BENCH_CONCURRENCY, for profiling.
import { randomBytes, createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  environment,
  freePort,
  cpuRow,
  latencyRow,
  machine,
  measure,
  personWithServer,
  post,
  start,
  until,
  baselineUrlOf,
  initializeSessions,
  benchDatabase,
  stackEnv,
} from './lib.mjs';

const CALLS = Number(process.env.BENCH_TOOL_CALLS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = Number(process.env.BENCH_WARMUP_CALLS ?? 2_000);
const ONLY_FULL = process.env.BENCH_ONLY_GATEHOUSE === '1';
const env = environment();
const root = join(import.meta.dirname, '..');
const CLIENT = { client_id: 'gatehouse-bench', client_secret: randomBytes(18).toString('base64url') };
const DIRECT = { client_id: 'bench-direct', client_secret: randomBytes(18).toString('base64url') };
const DIRECT_REDIRECT = 'http://127.0.0.1:9/direct';

/** The demo provider's approval page, approved as `username`: returns where it redirects (with the code). */
async function approve(providerUrl, authorizationUrl, username) {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  const field = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const form = new URLSearchParams({
    interaction: field('interaction'),
    csrf: field('csrf'),
    username,
    decision: 'approve',
  });
  for (const match of html.matchAll(/name="scope" value="([^"]+)"/g)) form.append('scope', match[1]);
  const approved = await fetch(`${providerUrl}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: (page.headers.get('set-cookie') ?? '').split(';')[0],
    },
    body: form,
  });
  if (approved.status !== 302) throw new Error(`approval answered ${approved.status}`);
  return approved.headers.get('location');
}

/** A token for `username` straight from the demo provider (for the direct and baseline paths). */
async function directToken(providerUrl, username) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${providerUrl}/oauth/authorize`);
  for (const [key, value] of Object.entries({
    client_id: DIRECT.client_id,
    redirect_uri: DIRECT_REDIRECT,
    response_type: 'code',
    scope: 'notes:read notes:write',
    state: 'bench',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(key, value);
  const code = new URL(await approve(providerUrl, url.toString(), username)).searchParams.get('code');
  const response = await fetch(`${providerUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${DIRECT.client_id}:${DIRECT.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: DIRECT_REDIRECT,
      code_verifier: verifier,
    }),
  });
  return (await response.json()).access_token;
}

const scratch = await benchDatabase(env, 'bench_tools');
const processes = [];
try {
  console.log(`Gatehouse benchmark: provider tool call — ${machine()}`);
  const [apiPort, workerPort, providerPort] = [await freePort(), await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const providerUrl = `http://127.0.0.1:${providerPort}`;
  const shared = { ...stackEnv(env, scratch, apiUrl), DATABASE_POOL_SIZE: '20' };
  const provider = start('demo-provider', [join(root, 'apps/demo-provider/dist/main.js')], {
    PATH: process.env.PATH,
    LOG_LEVEL: 'warn',
    DEMO_PROVIDER_PORT: String(providerPort),
    DEMO_PROVIDER_ADMIN_TOKEN: randomBytes(18).toString('base64url'),
    DEMO_PROVIDER_CLIENTS: JSON.stringify([
      { ...CLIENT, redirect_uris: [`${apiUrl}/api/v1/connections/callback`] },
      { ...DIRECT, redirect_uris: [DIRECT_REDIRECT] },
    ]),
  });
  const nodeArgs = (name) => process.env[`BENCH_${name}_NODE_ARGS`]?.split(' ').filter(Boolean) ?? [];
  const api = start('api', [...nodeArgs('API'), join(root, 'apps/api/dist/main.js')], {
    ...shared,
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    // The benchmark measures the path, not the limits.
    TOOL_CALLS_PER_MINUTE_TENANT: '1000000',
    TOOL_CALLS_PER_MINUTE_USER: '1000000',
    TOOL_CALLS_PER_MINUTE_TOOL: '1000000',
    TOOL_CALLS_PER_MINUTE_PROVIDER: '1000000',
  });
  const worker = start('worker', [...nodeArgs('WORKER'), join(root, 'apps/worker/dist/main.js')], {
    ...shared,
    WORKER_HOST: '127.0.0.1',
    WORKER_PORT: String(workerPort),
    WORKER_CONCURRENCY: '64',
  });
  processes.push(provider, api, worker);
  for (const [name, url, proc] of [
    ['demo provider', `${providerUrl}/healthz`, provider],
    ['api', `${apiUrl}/readyz`, api],
    ['worker', `http://127.0.0.1:${workerPort}/readyz`, worker],
  ])
    await until(name, async () => ((await fetch(url)).status === 200 ? true : undefined)).catch((error) => {
      throw new Error(`${error.message}\n${proc.output()}`);
    });

  // A person with a server exposing the demo toolkit, the tenant's demo app, and the person connected to it.
  const { endpoint, tokens, admin, slug } = await personWithServer(apiUrl, ['demo']);
  await fetch(`${apiUrl}/api/v1/tenants/${slug}/provider-apps/demo`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({
      clientId: CLIENT.client_id,
      clientSecret: CLIENT.client_secret,
      allowedScopes: ['notes:read', 'notes:write'],
      settings: { baseUrl: providerUrl },
    }),
  });
  const started = await fetch(`${apiUrl}/api/v1/tenants/${slug}/connections/demo/authorize`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({}),
  });
  const callback = await approve(providerUrl, (await started.json()).authorizationUrl, 'bench');
  const connected = await fetch(callback, { headers: { cookie: admin.cookie }, redirect: 'manual' });
  if (connected.status !== 200) throw new Error(`connecting answered ${connected.status}`);

  // The same person's token straight from the provider, for (a) and (b); three notes to list.
  const token = await directToken(providerUrl, 'bench');
  for (let i = 0; i < 3; i++)
    await fetch(`${providerUrl}/api/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `note ${i}`, body: 'benchmark' }),
    });
  const downstreamEnv = { PATH: process.env.PATH, DOWNSTREAM_URL: providerUrl, DOWNSTREAM_TOKEN: token };
  const baseline = start('baseline', [join(import.meta.dirname, 'tool-baseline-server.mjs')], downstreamEnv);
  // (d): the same server, its tool run through a BullMQ queue by a bare worker process.
  const queueEnv = {
    ...downstreamEnv,
    REDIS_URL: shared.REDIS_URL,
    QUEUE_PREFIX: shared.QUEUE_PREFIX,
    BASELINE_QUEUE: 'baseline-tools',
  };
  const queuedBaseline = start('queued baseline', [join(import.meta.dirname, 'tool-baseline-server.mjs')], queueEnv);
  const queueWorker = start('baseline worker', [join(import.meta.dirname, 'tool-baseline-worker.mjs')], queueEnv);
  processes.push(baseline, queuedBaseline, queueWorker);
  const baselineUrl = await baselineUrlOf(baseline);
  const queuedUrl = await baselineUrlOf(queuedBaseline);
  await until('baseline worker', async () => (queueWorker.output().includes('ready') ? true : undefined));

  const gatehouse = await initializeSessions(endpoint, tokens.access_token, baselineUrl);
  let id = 1;
  const call = (name) => ({ jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name, arguments: {} } });
  const direct = async () => {
    const response = await fetch(`${providerUrl}/api/notes`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`direct: ${response.status}`);
    await response.json();
  };
  const bare = () => post(baselineUrl, {}, call('list_notes'), 'note 2');
  const floor = () => post(queuedUrl, {}, call('list_notes'), 'note 2');
  const full = () => post(endpoint, gatehouse, call('demo.list_notes'), 'note 2');

  // The processes each path runs through, for their CPU per call (the benchmark's own client, Redis and PostgreSQL
  // are not counted).
  const onPath = {
    direct: { provider: provider.child },
    bare: { server: baseline.child, provider: provider.child },
    floor: { server: queuedBaseline.child, worker: queueWorker.child, provider: provider.child },
    full: { api: api.child, worker: worker.child, provider: provider.child },
  };
  // Warm-up: one call at a time, then WARMUP calls at the measured concurrency. A few hundred calls leave V8 still
  // optimising the hot paths of Gatehouse's much larger code base: measured right after them, (c) spent ~20 % more CPU
  // per call than in the steady state a running service is in.
  for (let i = 0; i < 50; i++) for (const path of [direct, bare, floor, full]) await path();
  for (const path of [direct, bare, floor, full]) await measure(WARMUP, CONCURRENCY, path);
  if (ONLY_FULL) {
    // Only (c), at BENCH_CONCURRENCY: for profiling the api and the worker (strace, --cpu-prof, pidstat).
    const c = await measure(CALLS, CONCURRENCY, full, onPath.full);
    console.log(latencyRow(`(c) Gatehouse, ${CONCURRENCY} in flight`, c, c));
    console.log(cpuRow(c));
  }
  const results = {};
  for (const concurrency of ONLY_FULL ? [] : [1, CONCURRENCY]) {
    results[concurrency] = {
      direct: await measure(CALLS, concurrency, direct, onPath.direct),
      bare: await measure(CALLS, concurrency, bare, onPath.bare),
      floor: await measure(CALLS, concurrency, floor, onPath.floor),
      full: await measure(CALLS, concurrency, full, onPath.full),
    };
  }

  for (const concurrency of ONLY_FULL ? [] : [1, CONCURRENCY]) {
    const { direct: a, bare: b, floor: d, full: c } = results[concurrency];
    console.log(
      `\nlist notes, ${CALLS.toLocaleString('en-US')} calls each, ${concurrency} in flight (ratios: calls/s against (b))`,
    );
    console.log(latencyRow('(a) direct HTTP to the downstream', a, b));
    console.log(cpuRow(a));
    console.log(latencyRow('(b) bare MCP SDK server calling it', b, b));
    console.log(cpuRow(b));
    console.log(latencyRow('(c) Gatehouse: OAuth, queue, worker, vault, audit', c, b));
    console.log(cpuRow(c));
    console.log(latencyRow('(d) (b) through a BullMQ queue and a bare worker', d, b));
    console.log(cpuRow(d));
    console.log(
      `  overhead of (c) over (b): p50 +${(c.p50 - b.p50).toFixed(2)} ms, p99 +${(c.p99 - b.p99).toFixed(2)} ms; throughput ${(c.opsPerSecond / b.opsPerSecond).toFixed(2)}× (targets: ≥ 1,000 calls/s and ≥ 0.5×, p50 ≤ +3 ms, p99 ≤ +15 ms)`,
    );
    // Issue 6 reads the latency targets one call at a time and the throughput targets under load.
    const verdict = (met) => (met ? 'met' : 'NOT met');
    if (concurrency === 1)
      console.log(
        `  issue 6, one at a time: p50 overhead ≤ 3 ms ${verdict(c.p50 - b.p50 <= 3)}, p99 overhead ≤ 15 ms ${verdict(c.p99 - b.p99 <= 15)}`,
      );
    else
      console.log(
        `  issue 6, ${concurrency} in flight: ≥ 1,000 calls/s ${verdict(c.opsPerSecond >= 1_000)}, ≥ 0.5× of (b) ${verdict(c.opsPerSecond >= 0.5 * b.opsPerSecond)}`,
      );
    console.log(
      `  the queue hop alone, (d) over (b): p50 +${(d.p50 - b.p50).toFixed(2)} ms, p99 +${(d.p99 - b.p99).toFixed(2)} ms; throughput ${(d.opsPerSecond / b.opsPerSecond).toFixed(2)}×; (c) is ${(c.opsPerSecond / d.opsPerSecond).toFixed(2)}× of (d)`,
    );
  }
} finally {
  for (const { child } of processes) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await scratch.drop();
}
