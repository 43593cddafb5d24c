import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built process, as `npm start` will run it (turbo builds before it tests).
const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(appDir, 'dist', 'main.js');

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, [main], { cwd: appDir, env: { PATH: process.env.PATH ?? '', ...env } });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(() => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run "pnpm build" (turbo does it before "test")`);
});

describe('the demo-provider process', () => {
  it('refuses to start without an admin token: one line naming the variable, exit 78', async () => {
    const { exit, output } = run({ DEMO_PROVIDER_PORT: '0' });
    expect(await exit).toBe(78);
    expect(output()).toBe('demo-provider: invalid configuration: DEMO_PROVIDER_ADMIN_TOKEN is required but not set\n');
  });

  it('starts from its environment, serves, and exits 0 on SIGTERM', async () => {
    const clients = [{ client_id: 'boot', client_secret: 'boot-secret-0123456789', redirect_uris: ['http://x/cb'] }];
    const { child, exit, output } = run({
      DEMO_PROVIDER_PORT: '0',
      DEMO_PROVIDER_ADMIN_TOKEN: 'process-admin-token-0123',
      DEMO_PROVIDER_CLIENTS: JSON.stringify(clients),
    });
    const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output())?.[1]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const listed = await fetch(`${url}/admin/clients`, {
      headers: { authorization: 'Bearer process-admin-token-0123' },
    });
    expect(await listed.json()).toEqual({ clients: [{ client_id: 'boot', redirect_uris: ['http://x/cb'] }] });
    expect(output()).not.toContain('boot-secret-0123456789');
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
