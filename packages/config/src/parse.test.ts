import { apiConfigSchema, ConfigError, parseConfig, workerConfigSchema } from './index.js';

const valid = {
  DATABASE_URL: 'postgresql://app:s3cret-password@127.0.0.1:5432/gatehouse',
  REDIS_URL: 'redis://127.0.0.1:6379',
  VAULT_KEYS: `v1:${Buffer.alloc(32, 7).toString('base64')}`,
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies defaults for non-secret settings', () => {
    const config = parseConfig(apiConfigSchema, valid);
    expect(config.API_PORT).toBe(4000);
    expect(config.NODE_ENV).toBe('development');
    expect(config.DATABASE_URL).toBe(valid.DATABASE_URL);
  });

  it('names a missing DATABASE_URL in one line', () => {
    const error = errorOf(() =>
      parseConfig(apiConfigSchema, { REDIS_URL: valid.REDIS_URL, VAULT_KEYS: valid.VAULT_KEYS }),
    );
    expect(error.variables).toEqual(['DATABASE_URL']);
    expect(error.message).toBe('invalid configuration: DATABASE_URL is required but not set');
    expect(error.message).not.toContain('\n');
  });

  it('treats an empty value as unset', () => {
    const error = errorOf(() => parseConfig(apiConfigSchema, { ...valid, DATABASE_URL: '' }));
    expect(error.message).toContain('DATABASE_URL is required');
  });

  it('rejects a malformed URL without echoing its value', () => {
    const secret = 'mysql://root:hunter2@db/x';
    const error = errorOf(() => parseConfig(workerConfigSchema, { ...valid, DATABASE_URL: secret }));
    expect(error.message).toMatch(
      /^invalid configuration: DATABASE_URL is malformed \(expected a postgres or postgresql URL\)$/,
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects an out-of-range port and names every bad variable once', () => {
    const error = errorOf(() => parseConfig(apiConfigSchema, { API_PORT: '70000', REDIS_URL: 'nope' }));
    expect(error.variables).toEqual(expect.arrayContaining(['API_PORT', 'REDIS_URL', 'DATABASE_URL']));
    expect(new Set(error.variables).size).toBe(error.variables.length);
  });

  it('refuses to start without a vault master key, and rejects a malformed one without echoing it', () => {
    const { VAULT_KEYS: _unset, ...withoutKey } = valid;
    expect(errorOf(() => parseConfig(apiConfigSchema, withoutKey)).message).toBe(
      'invalid configuration: VAULT_KEYS is required but not set',
    );
    const short = `v1:${Buffer.alloc(16, 1).toString('base64')}`;
    const error = errorOf(() => parseConfig(workerConfigSchema, { ...valid, VAULT_KEYS: short }));
    expect(error.variables).toEqual(['VAULT_KEYS']);
    expect(error.message).not.toContain(short.slice(3));
  });

  it('accepts several key versions', () => {
    const keys = `v1:${Buffer.alloc(32, 1).toString('base64')},v2:${Buffer.alloc(32, 2).toString('base64')}`;
    expect(parseConfig(apiConfigSchema, { ...valid, VAULT_KEYS: keys, VAULT_ACTIVE_KEY: 'v1' }).VAULT_ACTIVE_KEY).toBe(
      'v1',
    );
  });

  it('accepts proxy trust settings Express understands and rejects anything else', () => {
    expect(parseConfig(apiConfigSchema, valid).TRUST_PROXY).toBe('loopback');
    expect(parseConfig(apiConfigSchema, { ...valid, TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY).toBe(
      '10.0.0.0/8, loopback',
    );
    expect(parseConfig(apiConfigSchema, { ...valid, TRUST_PROXY: '2' }).TRUST_PROXY).toBe('2');
    expect(errorOf(() => parseConfig(apiConfigSchema, { ...valid, TRUST_PROXY: 'everyone!' })).variables).toEqual([
      'TRUST_PROXY',
    ]);
    for (const accepted of ['uniquelocal, 2001:db8::/32, 192.0.2.1', '10.0.0.0/255.255.240.0', 'linklocal'])
      expect(parseConfig(apiConfigSchema, { ...valid, TRUST_PROXY: accepted }).TRUST_PROXY).toBe(accepted);
    // Values Express would throw on at start (a stack trace, not the one-line refusal).
    for (const refused of [
      '10.0.0.256',
      '10.0.0.0/33',
      '2001:db8::/129',
      'cafe',
      '10.0.0.0/255.0.255.0',
      '2, loopback',
    ])
      expect(errorOf(() => parseConfig(apiConfigSchema, { ...valid, TRUST_PROXY: refused })).variables).toEqual([
        'TRUST_PROXY',
      ]);
  });

  it('accepts the standard trace samplers in any case, and refuses a typo', () => {
    expect(parseConfig(apiConfigSchema, { ...valid, OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio' })).toMatchObject({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    });
    expect(parseConfig(apiConfigSchema, valid).OTEL_TRACES_SAMPLER).toBeUndefined();
    expect(
      errorOf(() => parseConfig(apiConfigSchema, { ...valid, OTEL_TRACES_SAMPLER: 'always-of' })).variables,
    ).toEqual(['OTEL_TRACES_SAMPLER']);
  });

  it('strips a trailing slash from public URLs', () => {
    expect(parseConfig(apiConfigSchema, { ...valid, PUBLIC_API_URL: 'https://gh.example.com/' }).PUBLIC_API_URL).toBe(
      'https://gh.example.com',
    );
  });

  it('parses the MCP origin and host allowlists and bounds the OAuth token lifetimes', () => {
    const defaults = parseConfig(apiConfigSchema, valid);
    expect(defaults).toMatchObject({
      MCP_ALLOWED_ORIGINS: [],
      MCP_ALLOWED_HOSTS: [],
      OAUTH_ACCESS_TOKEN_TTL: 600,
      OAUTH_REFRESH_TOKEN_TTL: 14 * 86_400,
      OAUTH_REGISTRATIONS_PER_HOUR: 20,
      OAUTH_AUTHORIZATIONS_PER_MINUTE: 300,
      CONNECT_STATE_TTL: 600,
      TOOL_CALLS_PER_MINUTE_TENANT: 6000,
      TOOL_CALLS_PER_MINUTE_USER: 600,
      TOOL_CALLS_PER_MINUTE_TOOL: 300,
      TOOL_CALLS_PER_MINUTE_PROVIDER: 3000,
      TOOL_CALL_REPLAY_WINDOW_SECONDS: 900,
      PROVIDER_CIRCUIT_FAILURES: 5,
      PROVIDER_CIRCUIT_OPEN_SECONDS: 30,
    });
    const set = parseConfig(apiConfigSchema, {
      ...valid,
      MCP_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:6274/',
      MCP_ALLOWED_HOSTS: 'api.internal:4000,gatehouse',
    });
    expect(set.MCP_ALLOWED_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:6274']);
    expect(set.MCP_ALLOWED_HOSTS).toEqual(['api.internal:4000', 'gatehouse']);
    expect(
      errorOf(() =>
        parseConfig(apiConfigSchema, {
          ...valid,
          MCP_ALLOWED_ORIGINS: 'https://app.example.com/path',
          MCP_ALLOWED_HOSTS: 'evil.example/x',
          OAUTH_ACCESS_TOKEN_TTL: '86400',
        }),
      ).variables,
    ).toEqual(['MCP_ALLOWED_ORIGINS', 'MCP_ALLOWED_HOSTS', 'OAUTH_ACCESS_TOKEN_TTL']);
  });
  it('bounds the connection and tool-call settings, and keeps metrics off without a token', () => {
    expect(parseConfig(apiConfigSchema, valid).METRICS_TOKEN).toBeUndefined();
    expect(parseConfig(apiConfigSchema, { ...valid, METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(
      errorOf(() =>
        parseConfig(apiConfigSchema, {
          ...valid,
          CONNECT_STATE_TTL: '601',
          TOOL_CALLS_PER_MINUTE_USER: '0',
          TOOL_CALL_REPLAY_WINDOW_SECONDS: '10',
          PROVIDER_CIRCUIT_FAILURES: 'many',
          METRICS_TOKEN: 'short',
        }),
      ).variables,
    ).toEqual([
      'TOOL_CALLS_PER_MINUTE_USER',
      'TOOL_CALL_REPLAY_WINDOW_SECONDS',
      'PROVIDER_CIRCUIT_FAILURES',
      'METRICS_TOKEN',
      'CONNECT_STATE_TTL',
    ]);
    const worker = parseConfig(workerConfigSchema, valid);
    expect(worker).toMatchObject({ TOOL_CALL_LOCK_MS: 30_000, PUBLIC_API_URL: 'http://localhost:4000' });
    expect(errorOf(() => parseConfig(workerConfigSchema, { ...valid, TOOL_CALL_LOCK_MS: '100' })).variables).toEqual([
      'TOOL_CALL_LOCK_MS',
    ]);
  });
});
