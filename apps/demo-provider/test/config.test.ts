import { ConfigError, parseConfig } from '@gatehouse/config';
import { demoProviderConfigSchema } from '../src/config.js';
import { startProvider } from './harness.js';

const ADMIN = { DEMO_PROVIDER_ADMIN_TOKEN: 'an-admin-token-of-some-length' };
const parse = (env: Record<string, string>) => parseConfig(demoProviderConfigSchema, env);

function problem(env: Record<string, string>): string {
  try {
    parse(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('demoProviderConfigSchema', () => {
  it('defaults to 127.0.0.1:4100, a 300 s access token and no clients', () => {
    expect(parse(ADMIN)).toEqual({
      LOG_LEVEL: 'info',
      DEMO_PROVIDER_HOST: '127.0.0.1',
      DEMO_PROVIDER_PORT: 4100,
      DEMO_PROVIDER_ADMIN_TOKEN: ADMIN.DEMO_PROVIDER_ADMIN_TOKEN,
      DEMO_PROVIDER_CLIENTS: [],
      DEMO_PROVIDER_ACCESS_TOKEN_TTL: 300,
      DEMO_PROVIDER_REFRESH_TOKEN_TTL: 2_592_000,
    });
  });

  it('requires an admin token of at least 16 characters', () => {
    expect(problem({})).toBe('invalid configuration: DEMO_PROVIDER_ADMIN_TOKEN is required but not set');
    expect(problem({ DEMO_PROVIDER_ADMIN_TOKEN: 'short' })).toContain('DEMO_PROVIDER_ADMIN_TOKEN is malformed');
  });

  it('reads clients from JSON without ever echoing the value', () => {
    const clients = [{ client_id: 'gh', client_secret: 'a-client-secret-123', redirect_uris: ['http://localhost/cb'] }];
    expect(parse({ ...ADMIN, DEMO_PROVIDER_CLIENTS: JSON.stringify(clients) }).DEMO_PROVIDER_CLIENTS).toEqual(clients);

    const notJson = problem({ ...ADMIN, DEMO_PROVIDER_CLIENTS: '[{"client_secret":"leaky-secret-value' });
    expect(notJson).toContain('DEMO_PROVIDER_CLIENTS is malformed');
    expect(notJson).not.toContain('leaky-secret-value');
    const noSecret = [{ client_id: 'gh', redirect_uris: ['http://localhost/cb'] }];
    expect(problem({ ...ADMIN, DEMO_PROVIDER_CLIENTS: JSON.stringify(noSecret) })).toContain('DEMO_PROVIDER_CLIENTS');
  });

  it('takes token lifetimes in whole seconds, down to 1', () => {
    expect(parse({ ...ADMIN, DEMO_PROVIDER_ACCESS_TOKEN_TTL: '1' }).DEMO_PROVIDER_ACCESS_TOKEN_TTL).toBe(1);
    expect(problem({ ...ADMIN, DEMO_PROVIDER_ACCESS_TOKEN_TTL: '0' })).toContain('DEMO_PROVIDER_ACCESS_TOKEN_TTL');
    expect(problem({ ...ADMIN, DEMO_PROVIDER_ACCESS_TOKEN_TTL: '1.5' })).toContain('DEMO_PROVIDER_ACCESS_TOKEN_TTL');
  });

  it('uses DEMO_PROVIDER_PUBLIC_URL, without a trailing slash, as the issuer', async () => {
    const provider = await startProvider({ DEMO_PROVIDER_PUBLIC_URL: 'https://demo.example.test/' });
    try {
      expect(provider.url).toBe('https://demo.example.test');
      const metadata = await fetch(`http://127.0.0.1:${provider.port}/.well-known/oauth-authorization-server`);
      expect(await metadata.json()).toMatchObject({
        issuer: 'https://demo.example.test',
        token_endpoint: 'https://demo.example.test/oauth/token',
      });
    } finally {
      await provider.close();
    }
  });
});
