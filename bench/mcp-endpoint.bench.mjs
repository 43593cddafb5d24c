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
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  environment,
  freePort,
  machine,
  personWithServer,
  post,
  row,
  start,
  throughput,
  until,
  baselineUrlOf,
  initializeSessions,
  benchDatabase,
  stackEnv,
} from './lib.mjs';

const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const env = environment();

const scratch = await benchDatabase(env, 'bench_mcp');
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
      ...stackEnv(env, scratch, apiUrl),
      DATABASE_POOL_SIZE: '20',
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
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
  const baselineUrl = await baselineUrlOf(baseline);

  // A person, a tenant and a server with the conformance toolkit; a client registered and authorized by them.
  const { endpoint, tokens } = await personWithServer(apiUrl, ['conformance']);

  const gatehouseHeaders = await initializeSessions(endpoint, tokens.access_token, baselineUrl);
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
