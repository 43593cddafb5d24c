/**
 * The official MCP Inspector CLI (2.12, `--cli`) against a tenant's hosted MCP endpoint on a running api, with a
 * real OAuth access token sent as `Authorization: Bearer …`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessTokenFor, registerClient, signUp, tenantWithServer } from './oauth-flow.js';
import { baseEnv, startApiProcess, type ApiProcess } from './stack.js';

const inspector = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js',
);
const REDIRECT = 'http://127.0.0.1:9/callback';

let api: ApiProcess;
let home: string;
let endpoint: string;
let token: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'gatehouse-inspector-'));
  api = await startApiProcess();
  const owner = await signUp(api.url, 'inspector');
  endpoint = await tenantWithServer(api.url, owner, 'insp');
  token = await accessTokenFor(api.url, await registerClient(api.url, REDIRECT), REDIRECT, owner, endpoint);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the inspector CLI against the endpoint with `Authorization: Bearer <bearer>` and JSON output. */
function inspect(args: string[], bearer = token): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [
        inspector,
        '--cli',
        '--transport',
        'http',
        '--server-url',
        endpoint,
        '--header',
        `Authorization: Bearer ${bearer}`,
        // Fail with auth_required instead of starting an interactive OAuth login on a 401.
        '--stored-auth-only',
        '--format',
        'json',
        ...args,
      ],
      {
        // It keeps a catalog and secrets under ~/.mcp-inspector (or the OS keychain): a throwaway HOME and an
        // in-memory secret store keep runs apart and off the developer's own.
        env: baseEnv({ HOME: home, MCP_INSPECTOR_SECRET_STORE: 'memory' }),
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

function parsed(run: Run): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`inspector exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

test("tools/list: the inspector lists the tenant server's tools with their input schemas", async () => {
  const { result } = parsed(await inspect(['--method', 'tools/list'])) as {
    result: { tools: Array<{ name: string; inputSchema: { type: string; required?: string[] } }> };
  };
  const names = result.tools.map((tool) => tool.name);
  expect(names).toEqual(
    expect.arrayContaining(['test_simple_text', 'test_image_content', 'test_sampling', 'json_schema_2020_12_tool']),
  );
  expect(new Set(names).size).toBe(names.length);
  expect(result.tools.every((tool) => tool.inputSchema.type === 'object')).toBe(true);
  expect(result.tools.find((tool) => tool.name === 'test_sampling')?.inputSchema.required).toEqual(['prompt']);

  // Its state went to the throwaway HOME, and the token given on the command line was not written down.
  expect(existsSync(join(home, '.mcp-inspector'))).toBe(true);
  const files = readdirSync(home, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  for (const file of files) expect(readFileSync(join(file.parentPath, file.name), 'utf8')).not.toContain(token);
}, 90_000);

test('tools/call: the inspector calls tools, with arguments, and sees a tool error as one', async () => {
  const simple = parsed(await inspect(['--method', 'tools/call', '--tool-name', 'test_simple_text']));
  expect(simple).toEqual({
    result: { content: [{ type: 'text', text: 'This is a simple text response for testing.' }] },
  });

  const withArguments = parsed(
    await inspect([
      '--method',
      'tools/call',
      '--tool-name',
      'json_schema_2020_12_tool',
      '--tool-args-json',
      JSON.stringify({ name: 'Ada', address: { city: 'London' } }),
    ]),
  );
  expect(withArguments).toEqual({
    result: {
      content: [
        {
          type: 'text',
          text: 'JSON Schema 2020-12 tool called with: {"name":"Ada","address":{"city":"London"}}',
        },
      ],
    },
  });

  // A failing tool is a result with isError (not a protocol error); the CLI prints it and exits 5 (tool_error).
  const failing = await inspect(['--method', 'tools/call', '--tool-name', 'test_error_handling']);
  expect(failing.code).toBe(5);
  expect(JSON.parse(failing.stdout)).toEqual({
    result: {
      isError: true,
      content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
    },
  });
}, 90_000);

test("a bad token: the inspector exits 3 (auth_required) with the endpoint's reason, and lists nothing", async () => {
  const run = await inspect(['--method', 'tools/list'], `${token.slice(0, -4)}AAAA`);
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  const { error } = JSON.parse(run.stderr) as { error: { code: string; message: string } };
  expect(error.code).toBe('auth_required');
  expect(error.message).toContain('The access token is invalid, expired, revoked or for another server.');
}, 90_000);
