import { join } from 'node:path';
import { startProcess, testRedisUrl, testVaultKeys } from '@gatehouse/testing';
import { baseEnv, repoRoot } from './stack.js';

async function boot(app: 'api' | 'worker', env: Record<string, string>) {
  const child = startProcess(app, process.execPath, ['dist/main.js'], {
    env: baseEnv({ VAULT_KEYS: testVaultKeys(), ...env }),
    cwd: join(repoRoot, 'apps', app),
  });
  const result = await child.exited;
  return { ...result, output: child.output() };
}

describe('configuration is checked once at boot', () => {
  it.each(['api', 'worker'] as const)('%s refuses to start without a vault master key', async (app) => {
    const { code, output } = await boot(app, {
      REDIS_URL: testRedisUrl(),
      DATABASE_URL: 'postgresql://x@127.0.0.1/x',
      VAULT_KEYS: '',
    });
    expect(code).not.toBe(0);
    expect(output.trim().split('\n')).toEqual([`${app}: invalid configuration: VAULT_KEYS is required but not set`]);
  });

  it.each(['api', 'worker'] as const)('%s exits non-zero with one line naming an unset DATABASE_URL', async (app) => {
    const { code, output } = await boot(app, { REDIS_URL: testRedisUrl() });
    expect(code).not.toBe(0);
    expect(output.trim().split('\n')).toEqual([`${app}: invalid configuration: DATABASE_URL is required but not set`]);
  });

  it.each(['api', 'worker'] as const)('%s names a malformed DATABASE_URL without echoing it', async (app) => {
    const { code, output } = await boot(app, { REDIS_URL: testRedisUrl(), DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(code).not.toBe(0);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toContain('DATABASE_URL is malformed');
    expect(output).not.toContain('hunter2');
  });
});
