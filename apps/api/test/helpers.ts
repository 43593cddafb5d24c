import type { AddressInfo } from 'node:net';
import { apiConfigSchema, parseConfig, type ApiConfig } from '@gatehouse/config';
import { testAppDatabaseUrl, testPrefix, testRedisUrl, testVaultKeys } from '@gatehouse/testing';
import { LocalKeyring } from '@gatehouse/vault';
import { createApiApp } from '../src/app.factory.js';

export interface RunningApi {
  url: string;
  config: ApiConfig;
  close(): Promise<void>;
}

/** Boots the real api (real Postgres, real Redis, real HTTP) on a free port. */
export async function startApi(overrides: Record<string, string> = {}): Promise<RunningApi> {
  const config = parseConfig(apiConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testAppDatabaseUrl(),
    VAULT_KEYS: testVaultKeys(),
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: testPrefix(),
    API_PORT: '4000',
    ...overrides,
  });
  const app = await createApiApp(config, LocalKeyring.parse(config.VAULT_KEYS, config.VAULT_ACTIVE_KEY));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, config, close: () => app.close() };
}
