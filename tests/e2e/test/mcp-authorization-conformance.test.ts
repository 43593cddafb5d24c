/**
 * The official MCP conformance `authorization` command (@modelcontextprotocol/conformance 0.2.0-alpha) against the
 * api's authorization server. The command reads the RFC 8414 metadata, then prints an authorization URL for a
 * person to open and waits for the redirect on its own loopback callback server; here the person is played by the
 * cookie-jar TestBrowser: it signs in, allows on the consent page and delivers the redirect to the callback, after
 * which the command redeems the code itself. Every check it reports must be a SUCCESS.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@gatehouse/testing';
import { TestBrowser } from './browser.js';
import { authorizeInBrowser, PASSWORD, registerClient, signUp, tenantWithServer, type Member } from './oauth-flow.js';
import { startApiProcess, type ApiProcess } from './stack.js';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '../node_modules/conformance-next/dist/index.js');

interface Check {
  id: string;
  name: string;
  status: string;
  errorMessage?: string;
  details?: Record<string, unknown>;
}

let api: ApiProcess;
let owner: Member;
let endpoint: string;
let outputDir: string;

beforeAll(async () => {
  api = await startApiProcess();
  owner = await signUp(api.url, 'as-conformance');
  endpoint = await tenantWithServer(api.url, owner, 'asconf');
  outputDir = await mkdtemp(join(tmpdir(), 'gatehouse-as-conformance-'));
}, 60_000);

afterAll(async () => {
  await api?.stop();
  if (outputDir) await rm(outputDir, { recursive: true, force: true });
});

interface CommandRun {
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** The first match of `pattern` in the output, once printed; rejects if the command exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exit: Promise<number | null>;
  kill(): void;
}

/** Starts `conformance authorization …`; it is killed after `limitMs` (it would wait 5 minutes for a callback). */
function startAuthorizationCommand(args: string[], limitMs: number): CommandRun {
  const child = spawn(process.execPath, [cli, 'authorization', ...args], {
    env: { PATH: process.env.PATH, HOME: tmpdir(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    notify();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const exit = new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      exited = true;
      notify();
      done(code);
    });
  });
  return {
    output: () => output,
    exit,
    kill: () => child.kill('SIGKILL'),
    waitFor: (pattern) =>
      new Promise((done, fail) => {
        const check = () => {
          const match = pattern.exec(output);
          if (!match && !exited) return;
          listeners.delete(check);
          if (match) done(match);
          else fail(new Error(`the command exited without printing ${pattern}`));
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Every checks.json the command wrote (one per scenario) under `dir`. */
async function savedChecks(dir: string): Promise<Record<string, Check[]>> {
  const scenarios: Record<string, Check[]> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    // <output>/authorization-server-<scenario>-<timestamp>/checks.json
    const scenario = entry.name.replace(/^authorization-server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    scenarios[scenario] = JSON.parse(await readFile(join(dir, entry.name, 'checks.json'), 'utf8')) as Check[];
  }
  return scenarios;
}

test('conformance 0.2.0-alpha `authorization` passes against the authorization server (sign-in and consent by a person)', async () => {
  const issuer = `${api.url}/oauth`;
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const clientId = await registerClient(api.url, redirectUri);

  const command = startAuthorizationCommand(
    ['--url', issuer, '--client-id', clientId, '--resource', endpoint, '--port', String(port), '-o', outputDir],
    45_000,
  );
  const steps: string[] = [];
  let authorizationUrl: URL;
  let callbackAnswer: { status: number; body: string };
  try {
    // It prints the URL for a person to open (a whole line, so the URL is complete), then waits for the redirect.
    const [, printed] = await command.waitFor(/^(http\S+\/auth\?\S+)\n/m);
    authorizationUrl = new URL(printed!);
    const callback = await authorizeInBrowser(
      new TestBrowser(),
      authorizationUrl.toString(),
      { email: owner.email, password: PASSWORD },
      steps,
    );
    // The browser lands on the command's loopback callback server (listening once it says so), which hands the URL
    // back to the command; the command then redeems the code at the token endpoint.
    await command.waitFor(new RegExp(`^Callback server started: http://127\\.0\\.0\\.1:${port}$`, 'm'));
    const answer = await fetch(callback, { signal: AbortSignal.timeout(10_000) });
    callbackAnswer = { status: answer.status, body: await answer.text() };
  } catch (error) {
    command.kill();
    await command.exit;
    throw new Error(`${(error as Error).message}\n--- conformance authorization ---\n${command.output()}`, {
      cause: error,
    });
  }
  const code = await command.exit;
  const context = `exit ${code}\n${command.output()}`;

  // The person really went through the product's pages: sign-in, then consent for the MCP server.
  expect({ steps, context }).toEqual({ steps: ['login', 'consent'], context });
  expect(callbackAnswer).toEqual({ status: 200, body: 'OK. You can close this page.' });
  // What the command asked for: a public PKCE client, no scope (the server's default applies), our MCP server.
  expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${issuer}/auth`);
  expect(Object.fromEntries(authorizationUrl.searchParams)).toEqual({
    response_type: 'code',
    client_id: clientId,
    state: expect.any(String),
    redirect_uri: redirectUri,
    code_challenge: expect.any(String),
    code_challenge_method: 'S256',
    resource: endpoint,
  });

  // Both authorization-server scenarios ran (metadata first: the grant reads its endpoints from it).
  const scenarios = await savedChecks(outputDir);
  const order = ['authorization-server-metadata-endpoint', 'authorization-code-grant'];
  expect({ scenarios: Object.keys(scenarios).sort(), context }).toEqual({ scenarios: [...order].sort(), context });
  const summary = order
    .flatMap((scenario) => scenarios[scenario]!)
    .map((check) => `${check.id}: ${check.status}${check.errorMessage ? ` (${check.errorMessage})` : ''}`);
  expect({ summary, context }).toEqual({
    summary: [
      'authorization-server-metadata: SUCCESS',
      'authorization-server-metadata-cimd: SUCCESS',
      'authorization-code-grant: SUCCESS',
    ],
    context,
  });
  expect(command.output()).toMatch(/^Total: 3 passed, 0 failed$/m);
  expect(code).toBe(0);

  // What the command saw: our issuer in the redirect (RFC 9207), and a bearer token for the MCP scope with a refresh
  // token (the command prints them shortened).
  const grant = scenarios['authorization-code-grant']![0]!.details as {
    authorizationResponseUrl: string;
    body: Record<string, unknown>;
  };
  expect(new URL(grant.authorizationResponseUrl).searchParams.get('iss')).toBe(issuer);
  expect(grant.body).toEqual(
    expect.objectContaining({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      scope: 'mcp:tools',
    }),
  );
}, 60_000);
