/**
 * The official MCP conformance server suite against the real multi-tenant endpoint of a running api: a tenant
 * server with the conformance toolkit, reached through a loopback proxy that adds a real access token (the suite
 * itself sends none).
 */
import { execFile } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessTokenFor, registerClient, signUp, tenantWithServer } from './oauth-flow.js';
import { startApiProcess, type ApiProcess } from './stack.js';

const modules = resolve(dirname(fileURLToPath(import.meta.url)), '../node_modules');
const REDIRECT = 'http://127.0.0.1:9/callback';

let api: ApiProcess;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  api = await startApiProcess();
  const owner = await signUp(api.url, 'conformance');
  const endpoint = await tenantWithServer(api.url, owner, 'conf');
  const token = await accessTokenFor(api.url, await registerClient(api.url, REDIRECT), REDIRECT, owner, endpoint);
  const target = new URL(endpoint);
  proxy = createServer((req, res) => {
    // The suite's own Host (this proxy) becomes the api's; any other Host it sends (DNS-rebinding checks) passes.
    const headers = { ...req.headers };
    if (headers.host === new URL(proxyUrl).host) headers.host = target.host;
    if (headers.origin === new URL(proxyUrl).origin) headers.origin = target.origin;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: req.method,
        headers: { ...headers, authorization: `Bearer ${token}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  proxyUrl = `http://localhost:${(proxy.address() as AddressInfo).port}/mcp`;
}, 60_000);

afterAll(async () => {
  if (proxy) await new Promise((done) => proxy.close(done));
  await api?.stop();
});

function runSuite(cli: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout });
    });
  });
}

test('@modelcontextprotocol/conformance 0.1.16 server suite (--suite all) passes against a tenant server', async () => {
  const run = await runSuite(resolve(modules, '@modelcontextprotocol/conformance/dist/index.js'), [
    'server',
    '--url',
    proxyUrl,
    '--suite',
    'all',
  ]);
  const summary = run.output.slice(run.output.lastIndexOf('=== SUMMARY ==='));
  expect(summary.split('\n').filter((line) => line.startsWith('✗'))).toEqual([]);
  expect(summary).toMatch(/^Total: \d+ passed, 0 failed$/m);
  expect(run.code).toBe(0);
}, 160_000);

test('conformance 0.2.0-alpha server --requirements 2025-11-25 passes against a tenant server', async () => {
  const run = await runSuite(resolve(modules, 'conformance-next/dist/index.js'), [
    'server',
    '--url',
    proxyUrl,
    '--requirements',
    '2025-11-25',
  ]);
  expect(run.code).toBe(0);
}, 160_000);
