import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { apiConfigSchema, parseConfig, type ApiConfig } from '@gatehouse/config';
import { sessionResponse } from '@gatehouse/contracts';
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
    // Every test signs its people up from 127.0.0.1 under the run's prefix: the budget is tested on its own.
    SIGN_UPS_PER_HOUR: '100000',
    ...overrides,
  });
  const app = await createApiApp(config, LocalKeyring.parse(config.VAULT_KEYS, config.VAULT_ACTIVE_KEY));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, config, close: () => app.close() };
}

/** A signed-up console user: the session cookie to send back, the CSRF token, and the user id. */
export interface Person {
  email: string;
  cookie: string;
  csrf: string;
  userId: string;
}

export const TEST_PASSWORD = 'correct horse battery staple';

export async function signUp(api: RunningApi, label: string): Promise<Person> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const res = await fetch(`${api.url}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: TEST_PASSWORD, displayName: label }),
  });
  const session = sessionResponse.parse(await res.json());
  return {
    email,
    cookie: res.headers.get('set-cookie')!.split(';')[0]!,
    csrf: session.csrfToken,
    userId: session.user.id,
  };
}

/** A JSON request as a signed-in person (cookie + CSRF token) or with a tenant API key. */
export function callAs(
  api: RunningApi,
  method: string,
  path: string,
  who?: Person | string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (typeof who === 'string') headers.authorization = `Bearer ${who}`;
  else if (who) Object.assign(headers, { cookie: who.cookie, 'x-csrf-token': who.csrf });
  return fetch(`${api.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}
