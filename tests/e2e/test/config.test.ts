import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createDatabase, KeyCheckRepository } from '@gatehouse/db';
import { startProcess, testAppDatabaseUrl, testRedisUrl, testVaultKeys } from '@gatehouse/testing';
import { LocalKeyring, verifyKeyring } from '@gatehouse/vault';
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

  it.each(['api', 'worker'] as const)(
    '%s refuses to start with a key that is not the one the deployment knows under its version',
    async (app) => {
      // The run's own v1 is recorded (as the first process of a deployment records it), then v1 is given another key.
      const db = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 1 });
      try {
        await verifyKeyring(LocalKeyring.parse(testVaultKeys()), new KeyCheckRepository(db));
      } finally {
        await db.$disconnect();
      }
      const { code, output } = await boot(app, {
        REDIS_URL: testRedisUrl(),
        DATABASE_URL: testAppDatabaseUrl(),
        VAULT_KEYS: `v1:${randomBytes(32).toString('base64')}`,
      });
      expect(code).toBe(78);
      expect(output).toContain(
        `${app}: invalid configuration: VAULT_KEYS: key-encryption key "v1" is not the key this deployment recorded`,
      );
    },
    30_000,
  );

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
