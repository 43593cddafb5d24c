import { buildAuthorizationUrl } from './authorization-url.js';
import { getOAuth2Provider } from './catalog.js';
import { resolveProviderUrls, type ProviderParams } from './templates.js';

const BASE = { clientId: 'client-1', redirectUri: 'https://gh.example/cb', state: 'st4te' };

function authorizeWith(id: string, params: ProviderParams): string {
  const codeChallenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
  const url = new URL(buildAuthorizationUrl(getOAuth2Provider(id), { ...BASE, codeChallenge, params }).url);
  return `${url.origin}${url.pathname}`;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('templated providers', () => {
  describe('Microsoft tenant', () => {
    it.each([
      ['organizations', 'organizations'],
      ['a tenant GUID', '72f988bf-86f1-41af-91ab-2d7cd011db47'],
      ['a verified domain', 'contoso.onmicrosoft.com'],
    ])('accepts %s', (_label, tenant) => {
      expect(authorizeWith('microsoft', { tenant })).toBe(
        `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`,
      );
    });

    it.each([
      ['a path traversal', '../../evil.example'],
      ['a second path segment', 'common/oauth2'],
      ['a query', 'common?x=1'],
      ['a host with port', 'evil.example:443'],
      ['a word that is not a tenant', 'anyone'],
    ])('refuses %s', (_label, tenant) => {
      expect(codeOf(() => authorizeWith('microsoft', { tenant }))).toBe('invalid_param');
    });
  });

  describe('base URLs', () => {
    it('uses the default and accepts a self-managed GitLab with a path prefix, trailing slash dropped', () => {
      expect(authorizeWith('gitlab', {})).toBe('https://gitlab.com/oauth/authorize');
      expect(authorizeWith('gitlab', { baseUrl: 'https://git.acme.example:8443/gitlab/' })).toBe(
        'https://git.acme.example:8443/gitlab/oauth/authorize',
      );
      expect(resolveProviderUrls(getOAuth2Provider('gitlab'), { baseUrl: 'https://git.acme.example' })).toEqual({
        authorizationUrl: 'https://git.acme.example/oauth/authorize',
        tokenUrl: 'https://git.acme.example/oauth/token',
        refreshUrl: 'https://git.acme.example/oauth/token',
        userInfoUrl: 'https://git.acme.example/api/v4/user',
      });
    });

    it.each([
      ['plain http', 'http://git.acme.example'],
      ['http on localhost (only the demo provider may)', 'http://localhost:8080'],
      ['credentials', 'https://user:pass@git.acme.example'],
      ['a query', 'https://git.acme.example/?next=evil'],
      ['a fragment', 'https://git.acme.example/#x'],
      ['another scheme', 'javascript:alert(1)'],
      ['no URL at all', 'git.acme.example'],
    ])('refuses a GitLab base URL with %s', (_label, baseUrl) => {
      expect(codeOf(() => authorizeWith('gitlab', { baseUrl }))).toBe('invalid_param');
    });

    it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
      'refuses a setting named after a built-in property (%s)',
      (name) => {
        expect(codeOf(() => authorizeWith('gitlab', JSON.parse(`{"${name}": "x"}`) as Record<string, string>))).toBe(
          'invalid_param',
        );
      },
    );

    it('keeps Salesforce on Salesforce hosts, since the token request carries the client secret', () => {
      expect(authorizeWith('salesforce', { baseUrl: 'https://acme.my.salesforce.com' })).toBe(
        'https://acme.my.salesforce.com/services/oauth2/authorize',
      );
      expect(authorizeWith('salesforce', { baseUrl: 'https://test.salesforce.com' })).toBe(
        'https://test.salesforce.com/services/oauth2/authorize',
      );
      expect(codeOf(() => authorizeWith('salesforce', { baseUrl: 'https://salesforce.com.evil.example' }))).toBe(
        'invalid_param',
      );
      expect(codeOf(() => authorizeWith('salesforce', { baseUrl: 'https://evilsalesforce.com' }))).toBe(
        'invalid_param',
      );
    });

    it('lets the demo provider run on loopback over http, and nowhere else without https', () => {
      expect(authorizeWith('demo', { baseUrl: 'http://localhost:4010' })).toBe('http://localhost:4010/oauth/authorize');
      expect(authorizeWith('demo', { baseUrl: 'http://127.0.0.1:4010/' })).toBe(
        'http://127.0.0.1:4010/oauth/authorize',
      );
      expect(authorizeWith('demo', { baseUrl: 'https://demo.gh.example' })).toBe(
        'https://demo.gh.example/oauth/authorize',
      );
      expect(codeOf(() => authorizeWith('demo', { baseUrl: 'http://demo.gh.example' }))).toBe('invalid_param');
      expect(codeOf(() => authorizeWith('demo', { baseUrl: 'http://localhost.evil.example' }))).toBe('invalid_param');
    });
  });

  it('refuses a missing placeholder value that has no default', () => {
    expect(codeOf(() => authorizeWith('demo', {}))).toBe('missing_param');
    expect(codeOf(() => authorizeWith('demo', { baseUrl: '' }))).toBe('missing_param');
  });

  it('refuses parameters the provider does not take', () => {
    expect(codeOf(() => authorizeWith('github', { baseUrl: 'https://github.acme.example' }))).toBe('invalid_param');
    expect(codeOf(() => authorizeWith('microsoft', { tennant: 'common' }))).toBe('invalid_param');
  });
});
