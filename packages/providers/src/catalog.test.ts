import { getApiKeyProvider, getOAuth2Provider, getProvider, parseCatalog, PROVIDERS } from './catalog.js';
import { providerSchema } from './provider.schema.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

const REQUIRED_OAUTH = [
  'github',
  'google',
  'microsoft',
  'slack',
  'notion',
  'linear',
  'atlassian',
  'salesforce',
  'hubspot',
  'zoom',
  'dropbox',
  'asana',
  'gitlab',
  'discord',
  'figma',
];

/** A minimal valid entry to break one field at a time. */
function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'oauth2',
    id: 'example',
    name: 'Example',
    docsUrl: 'https://example.com/docs',
    authorizationUrl: 'https://example.com/oauth/authorize',
    tokenUrl: 'https://example.com/oauth/token',
    pkce: 'supported',
    scopeSeparator: ' ',
    token: { auth: 'client_secret_post' },
    refresh: { supported: false, rotates: false },
    accountId: { from: 'token', path: 'user.id' },
    ...overrides,
  };
}

function problemsOf(entries: unknown[]): string {
  try {
    parseCatalog(entries);
  } catch (error) {
    expect(error).toMatchObject({ name: 'ProviderError', code: 'invalid_catalog' });
    return (error as Error).message;
  }
  throw new Error('the catalog was accepted');
}

describe('provider catalog', () => {
  it('has every required real OAuth provider, a demo provider and API-key providers', () => {
    const oauth = PROVIDERS.filter((p) => p.kind === 'oauth2').map((p) => p.id);
    expect(oauth).toEqual(expect.arrayContaining([...REQUIRED_OAUTH, 'demo']));
    expect(oauth.filter((id) => id !== 'demo').length).toBeGreaterThanOrEqual(15);
    expect(PROVIDERS.filter((p) => p.kind === 'api_key').length).toBeGreaterThanOrEqual(4);
  });

  it('validates every entry against the schema and keeps ids unique', () => {
    for (const provider of PROVIDERS) {
      expect(providerSchema.safeParse(provider).error).toBeUndefined();
      expect(provider.docsUrl).toMatch(/^https:\/\//);
    }
    const ids = PROVIDERS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a duplicate id and lists every bad entry in one error', () => {
    expect(problemsOf([entry(), entry()])).toContain('provider "example": duplicate id');
    const message = problemsOf([entry({ id: 'Bad_Id' }), entry({ id: 'other', docsUrl: 'http://example.com' })]);
    expect(message).toContain('provider "Bad_Id": id: expected a kebab-case id');
    expect(message).toContain('provider "other": docsUrl');
  });

  it('refuses entries whose URLs could not be built safely', () => {
    expect(problemsOf([entry({ tokenUrl: 'http://example.com/token' })])).toContain('tokenUrl: not an https URL');
    expect(problemsOf([entry({ tokenUrl: 'https://{host}/token' })])).toContain('{host} is not a declared param');
    const baseUrl = { kind: 'base_url', description: 'instance' };
    expect(
      problemsOf([
        entry({ params: { baseUrl }, authorizationUrl: 'https://x.com/{baseUrl}', tokenUrl: '{baseUrl}/t' }),
      ]),
    ).toContain('{baseUrl} is a base URL and may only start the template');
    expect(problemsOf([entry({ params: { baseUrl } })])).toContain('param baseUrl is used by neither');
    const tenant = { kind: 'tenant', description: 'tenant', default: 'not a tenant' };
    expect(problemsOf([entry({ params: { tenant }, tokenUrl: 'https://x.com/{tenant}/token' })])).toContain(
      'param tenant: default is not a valid value',
    );
    expect(problemsOf([entry({ authorizationUrl: 'https://example.com/authorize?prompt=consent' })])).toContain(
      'put fixed query parameters in extraAuthorizationParams',
    );
  });

  it('refuses extras that would override the request, and inconsistent declarations', () => {
    expect(problemsOf([entry({ extraAuthorizationParams: { redirect_uri: 'https://evil.example' } })])).toContain(
      'extraAuthorizationParams may not set redirect_uri',
    );
    expect(problemsOf([entry({ accountId: { from: 'user_info', path: 'id' } })])).toContain(
      'no userInfo endpoint is declared',
    );
    expect(problemsOf([entry({ scopeSeparator: ',', defaultScopes: ['a,b'] })])).toContain(
      'a scope contains the scope separator',
    );
    expect(problemsOf([entry({ defaultScopes: ['has space'] })])).toContain('expected an RFC 6749 scope token');
    expect(problemsOf([entry({ refresh: { supported: false, rotates: true } })])).toContain(
      'refresh details given for a provider without refresh',
    );
    expect(problemsOf([entry({ unexpected: true })])).toContain('unexpected');
  });

  it('refuses API-key entries whose placement names no declared field', () => {
    const apiKey = {
      kind: 'api_key',
      id: 'keyed',
      name: 'Keyed',
      docsUrl: 'https://example.com/docs',
      baseUrl: 'https://api.example.com',
      fields: [{ name: 'apiKey', label: 'API key', secret: true, pattern: '(' }],
      placement: { type: 'header', header: 'Authorization', scheme: 'Bearer', field: 'token' },
    };
    const message = problemsOf([apiKey]);
    expect(message).toContain('placement names unknown field token');
    expect(message).toContain('field apiKey: pattern does not compile');
  });

  it('looks providers up by id and by kind, and hands out frozen entries', () => {
    expect(getProvider('github').name).toBe('GitHub');
    expect(codeOf(() => getProvider('myspace'))).toBe('unknown_provider');
    expect(codeOf(() => getOAuth2Provider('openai'))).toBe('wrong_kind');
    expect(codeOf(() => getApiKeyProvider('github'))).toBe('wrong_kind');
    const github = getOAuth2Provider('github');
    expect(Object.isFrozen(github) && Object.isFrozen(github.defaultScopes)).toBe(true);
    expect(() => github.defaultScopes.push('admin:org')).toThrow(TypeError);
  });

  it('declares the demo provider the local demo app implements', () => {
    const demo = getOAuth2Provider('demo');
    expect(demo).toMatchObject({
      authorizationUrl: '{baseUrl}/oauth/authorize',
      tokenUrl: '{baseUrl}/oauth/token',
      pkce: 'required',
      scopeSeparator: ' ',
      defaultScopes: ['notes:read'],
      refresh: { supported: true, rotates: true },
      revocation: { url: '{baseUrl}/oauth/revoke' },
      userInfo: { url: '{baseUrl}/api/me', method: 'GET' },
      accountId: { from: 'user_info', path: 'id', labelPath: 'username' },
    });
  });
});
