import { getProvider } from './catalog.js';
import { missingScopes, parseGrantedScopes, scopesSatisfy } from './scopes.js';

describe('parseGrantedScopes', () => {
  it('splits a space-separated scope string (RFC 6749)', () => {
    const response = { access_token: 't', scope: 'openid https://www.googleapis.com/auth/userinfo.email' };
    expect(parseGrantedScopes(getProvider('google'), response, [])).toEqual([
      'openid',
      'https://www.googleapis.com/auth/userinfo.email',
    ]);
  });

  it("reads GitHub's comma-separated answer to a space-separated request", () => {
    expect(parseGrantedScopes(getProvider('github'), { scope: 'repo,gist' }, ['repo', 'gist'])).toEqual([
      'repo',
      'gist',
    ]);
    // GitHub answers an empty string when no scope was granted: that is no scope, not "what was asked".
    expect(parseGrantedScopes(getProvider('github'), { scope: '' }, ['repo'])).toEqual([]);
  });

  it("reads Slack's user scopes from authed_user, not the bot scopes at the top", () => {
    const response = {
      ok: true,
      scope: 'commands,chat:write',
      authed_user: { id: 'U1234', scope: 'users:read,chat:write', access_token: 'xoxp-1' },
    };
    expect(parseGrantedScopes(getProvider('slack'), response, [])).toEqual(['users:read', 'chat:write']);
  });

  it("reads HubSpot's scopes array and Linear's array or string", () => {
    expect(parseGrantedScopes(getProvider('hubspot'), { scopes: ['oauth', 'crm.objects.contacts.read'] }, [])).toEqual([
      'oauth',
      'crm.objects.contacts.read',
    ]);
    expect(parseGrantedScopes(getProvider('linear'), { scope: ['read', 'write'] }, [])).toEqual(['read', 'write']);
    expect(parseGrantedScopes(getProvider('linear'), { scope: 'read write' }, [])).toEqual(['read', 'write']);
  });

  it('takes the requested scopes when the response does not report any', () => {
    expect(parseGrantedScopes(getProvider('microsoft'), { access_token: 't' }, ['openid', 'User.Read'])).toEqual([
      'openid',
      'User.Read',
    ]);
    expect(parseGrantedScopes(getProvider('figma'), { scope: 42 }, ['current_user:read'])).toEqual([
      'current_user:read',
    ]);
  });
});

describe('scopesSatisfy', () => {
  it('needs every required scope', () => {
    expect(scopesSatisfy(['repo', 'gist'], ['repo'])).toBe(true);
    expect(scopesSatisfy(['repo', 'gist'], [])).toBe(true);
    expect(scopesSatisfy(['gist'], ['repo', 'gist'])).toBe(false);
    expect(missingScopes(['gist'], ['repo', 'gist', 'user'])).toEqual(['repo', 'user']);
  });

  it('compares case-sensitively, except for providers that do not (Microsoft)', () => {
    expect(scopesSatisfy(['user.read'], ['User.Read'], getProvider('google'))).toBe(false);
    expect(scopesSatisfy(['user.read'], ['User.Read'], getProvider('microsoft'))).toBe(true);
  });

  it('counts a scope the provider documents as included in a granted one, through every level', () => {
    const github = getProvider('github');
    expect(scopesSatisfy(['repo'], ['public_repo', 'repo:status'], github)).toBe(true);
    expect(scopesSatisfy(['admin:org'], ['read:org'], github)).toBe(true);
    expect(missingScopes(['public_repo', 'read:org'], ['repo', 'write:org', 'read:org'], github)).toEqual([
      'repo',
      'write:org',
    ]);
    const google = getProvider('google');
    const scope = (name: string) => `https://www.googleapis.com/auth/${name}`;
    expect(scopesSatisfy([scope('calendar')], [scope('calendar.events.readonly')], google)).toBe(true);
    expect(scopesSatisfy(['https://mail.google.com/'], [scope('gmail.readonly'), scope('gmail.send')], google)).toBe(
      true,
    );
    expect(missingScopes([scope('gmail.send')], [scope('gmail.readonly')], google)).toEqual([scope('gmail.readonly')]);
    expect(missingScopes([scope('calendar.events.readonly')], [scope('calendar.events')], google)).toEqual([
      scope('calendar.events'),
    ]);
    // Without a provider (or one that declares nothing) scopes are opaque strings.
    expect(scopesSatisfy(['repo'], ['public_repo'])).toBe(false);
  });

  it("folds case in the provider's implications too when it compares so", () => {
    const entry = { ...getProvider('microsoft'), impliedScopes: { 'Files.ReadWrite': ['Files.Read'] } };
    expect(scopesSatisfy(['files.readwrite'], ['FILES.READ'], entry)).toBe(true);
  });
});
