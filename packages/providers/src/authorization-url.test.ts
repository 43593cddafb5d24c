import { buildAuthorizationUrl, pkceChallenge, requestedScopes } from './authorization-url.js';
import { getProvider, PROVIDERS } from './catalog.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

const CHALLENGE = pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
const BASE = { clientId: 'client-1', redirectUri: 'https://gh.example/connections/callback', state: 'st4te' };

/** What each provider's authorization URL must be for one extra tool scope, `extra.scope`, and a code challenge. */
const EXPECTED: Record<string, { url: string; scope?: [string, string]; pkce: boolean; extras?: object }> = {
  github: { url: 'https://github.com/login/oauth/authorize', scope: ['scope', 'extra.scope'], pkce: true },
  google: {
    url: 'https://accounts.google.com/o/oauth2/v2/auth',
    scope: ['scope', 'openid https://www.googleapis.com/auth/userinfo.email extra.scope'],
    pkce: true,
    extras: { access_type: 'offline', prompt: 'consent' },
  },
  microsoft: {
    url: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    scope: ['scope', 'openid User.Read extra.scope offline_access'],
    pkce: true,
  },
  slack: { url: 'https://slack.com/oauth/v2/authorize', scope: ['user_scope', 'users:read,extra.scope'], pkce: false },
  notion: {
    url: 'https://api.notion.com/v1/oauth/authorize',
    scope: ['scope', 'extra.scope'],
    pkce: false,
    extras: { owner: 'user' },
  },
  linear: { url: 'https://linear.app/oauth/authorize', scope: ['scope', 'read,extra.scope'], pkce: true },
  atlassian: {
    url: 'https://auth.atlassian.com/authorize',
    scope: ['scope', 'read:me extra.scope offline_access'],
    pkce: false,
    extras: { audience: 'api.atlassian.com', prompt: 'consent' },
  },
  salesforce: {
    url: 'https://login.salesforce.com/services/oauth2/authorize',
    scope: ['scope', 'api openid extra.scope refresh_token'],
    pkce: true,
  },
  hubspot: { url: 'https://app.hubspot.com/oauth/authorize', scope: ['scope', 'oauth extra.scope'], pkce: true },
  zoom: { url: 'https://zoom.us/oauth/authorize', scope: ['scope', 'user:read:user extra.scope'], pkce: true },
  dropbox: {
    url: 'https://www.dropbox.com/oauth2/authorize',
    scope: ['scope', 'account_info.read extra.scope'],
    pkce: true,
    extras: { token_access_type: 'offline' },
  },
  asana: { url: 'https://app.asana.com/-/oauth_authorize', scope: ['scope', 'extra.scope'], pkce: true },
  gitlab: { url: 'https://gitlab.com/oauth/authorize', scope: ['scope', 'read_user extra.scope'], pkce: true },
  discord: { url: 'https://discord.com/oauth2/authorize', scope: ['scope', 'identify extra.scope'], pkce: false },
  figma: { url: 'https://www.figma.com/oauth', scope: ['scope', 'current_user:read extra.scope'], pkce: false },
  demo: {
    url: 'http://localhost:4010/oauth/authorize',
    scope: ['scope', 'notes:read extra.scope'],
    pkce: true,
  },
};

function query(url: string): Record<string, string> {
  const params = new URL(url).searchParams;
  const entries = [...params.entries()];
  expect(new Set(entries.map(([key]) => key)).size).toBe(entries.length);
  return Object.fromEntries(entries);
}

describe('buildAuthorizationUrl', () => {
  it('covers every OAuth provider in the catalog', () => {
    const oauth = PROVIDERS.filter((p) => p.kind === 'oauth2').map((p) => p.id);
    expect(Object.keys(EXPECTED).sort()).toEqual([...oauth].sort());
  });

  it.each(Object.entries(EXPECTED))('builds the exact authorization URL for %s', (id, expected) => {
    const params = id === 'demo' ? { baseUrl: 'http://localhost:4010' } : undefined;
    const request = buildAuthorizationUrl(getProvider(id), {
      ...BASE,
      scopes: ['extra.scope'],
      codeChallenge: CHALLENGE,
      ...(params ? { params } : {}),
    });
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe(expected.url);
    expect(url.search).not.toContain('+');
    const want: Record<string, string> = {
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'https://gh.example/connections/callback',
      state: 'st4te',
      ...(expected.scope ? { [expected.scope[0]]: expected.scope[1] } : {}),
      ...(expected.pkce ? { code_challenge: CHALLENGE, code_challenge_method: 'S256' } : {}),
      ...expected.extras,
    };
    expect(query(request.url)).toEqual(want);
    expect(request.pkce).toBe(expected.pkce);
    expect(request.scopes.join(id === 'slack' || id === 'linear' ? ',' : ' ')).toBe(expected.scope?.[1]);
  });

  it('omits the scope parameter when nothing is requested (Notion has no scopes)', () => {
    const { url, scopes } = buildAuthorizationUrl(getProvider('notion'), BASE);
    expect(scopes).toEqual([]);
    expect(query(url)).toEqual({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: BASE.redirectUri,
      state: 'st4te',
      owner: 'user',
    });
  });

  it('deduplicates scopes and keeps the defaults first', () => {
    expect(requestedScopes(getProvider('microsoft'), ['offline_access', 'Mail.Read', 'openid'])).toEqual([
      'openid',
      'User.Read',
      'offline_access',
      'Mail.Read',
    ]);
  });

  it('refuses scopes that would break the separator or the query', () => {
    const linear = getProvider('linear');
    expect(codeOf(() => buildAuthorizationUrl(linear, { ...BASE, scopes: ['read,admin'] }))).toBe('invalid_request');
    expect(codeOf(() => buildAuthorizationUrl(getProvider('github'), { ...BASE, scopes: ['repo user'] }))).toBe(
      'invalid_request',
    );
  });

  describe('PKCE', () => {
    it('computes the RFC 7636 appendix B challenge', () => {
      expect(CHALLENGE).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
      expect(codeOf(() => pkceChallenge('too-short'))).toBe('invalid_request');
    });

    it('refuses a provider that requires PKCE without a well-formed S256 challenge', () => {
      const demo = getProvider('demo');
      const params = { baseUrl: 'http://localhost:4010' };
      expect(codeOf(() => buildAuthorizationUrl(demo, { ...BASE, params }))).toBe('pkce_required');
      expect(codeOf(() => buildAuthorizationUrl(demo, { ...BASE, params, codeChallenge: 'plain-verifier' }))).toBe(
        'pkce_required',
      );
    });

    it('sends no challenge to providers without PKCE, and none when the caller gives none', () => {
      const slack = buildAuthorizationUrl(getProvider('slack'), { ...BASE, codeChallenge: CHALLENGE });
      expect(slack.pkce).toBe(false);
      expect(slack.url).not.toContain('code_challenge');
      const github = buildAuthorizationUrl(getProvider('github'), BASE);
      expect(github.pkce).toBe(false);
      expect(github.url).not.toContain('code_challenge');
    });
  });

  describe('input checks', () => {
    it.each([
      ['an empty client id', { clientId: '' }],
      ['an empty state', { state: '' }],
      ['a relative redirect URI', { redirectUri: '/callback' }],
      ['a redirect URI with a fragment', { redirectUri: 'https://gh.example/cb#x' }],
      ['a non-http redirect URI', { redirectUri: 'javascript:alert(1)' }],
    ])('refuses %s', (_label, change) => {
      expect(codeOf(() => buildAuthorizationUrl(getProvider('github'), { ...BASE, ...change }))).toBe(
        'invalid_request',
      );
    });

    it('refuses API-key providers', () => {
      expect(codeOf(() => buildAuthorizationUrl(getProvider('stripe'), BASE))).toBe('wrong_kind');
    });
  });
});
