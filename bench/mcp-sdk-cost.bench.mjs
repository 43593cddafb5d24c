// What a bare MCP SDK server itself costs per tools/call — the baseline (b) of tool-call.bench.mjs, and a part of
// every Gatehouse call too: the validator the SDK builds per server, its transport, a fresh server per request, and
// the HTTP floor (sdk-cost-server.mjs).
// No downstream, no auth. Prints calls/s and the server's CPU per call, in alternating rounds (the machine drifts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineUrlOf, cpuRow, latencyRow, machine, measure, post, start } from './lib.mjs';

const CALLS = Number(process.env.BENCH_SDK_CALLS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const here = fileURLToPath(new URL('.', import.meta.url));
const MODES = {
  sdk: 'fresh McpServer + SDK transport',
  lazy: 'the same, Ajv built on first use',
  minimal: 'lazy server, minimal Node transport',
  raw: 'JSON-RPC answer written directly',
};

const servers = {};
try {
  console.log(`MCP SDK cost per tools/call — ${machine()}`);
  for (const mode of Object.keys(MODES)) {
    servers[mode] = start(mode, [join(here, 'sdk-cost-server.mjs')], { PATH: process.env.PATH, SDK_COST_MODE: mode });
    servers[mode].url = await baselineUrlOf(servers[mode]);
  }
  const call = (mode) => (i) =>
    post(
      servers[mode].url,
      {},
      { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'list_notes', arguments: {} } },
      'a note',
    );
  for (const mode of Object.keys(MODES)) await measure(2_000, CONCURRENCY, call(mode));
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\nround ${round}: ${CALLS.toLocaleString('en-US')} calls each, ${CONCURRENCY} in flight`);
    let baseline;
    for (const [mode, label] of Object.entries(MODES)) {
      const result = await measure(CALLS, CONCURRENCY, call(mode), { server: servers[mode].child });
      baseline ??= result;
      console.log(latencyRow(`${mode}: ${label}`, result, baseline));
      console.log(cpuRow({ cpuPerCall: { server: result.cpuPerCall.server } }));
    }
  }
} finally {
  for (const server of Object.values(servers)) server.child.kill();
}
