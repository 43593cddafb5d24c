import { readAccountId, readAccountLabel } from './account.js';
import { getProvider } from './catalog.js';
import { readTokenResponse } from './token-response.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('readAccountId', () => {
  it('reads ids from user-info responses, numbers as strings', () => {
    expect(readAccountId(getProvider('github'), { id: 583231, login: 'octocat' })).toBe('583231');
    expect(readAccountLabel(getProvider('github'), { id: 583231, login: 'octocat' })).toBe('octocat');
    expect(readAccountId(getProvider('google'), { sub: '110169484474386276334', email: 'a@b.example' })).toBe(
      '110169484474386276334',
    );
    expect(readAccountId(getProvider('demo'), { id: 'user-42' })).toBe('user-42');
  });

  it('reads nested paths (Linear GraphQL, Asana token response)', () => {
    const viewer = { data: { viewer: { id: '2a1b-…', email: 'dev@acme.example' } } };
    expect(readAccountId(getProvider('linear'), viewer)).toBe('2a1b-…');
    expect(readAccountLabel(getProvider('linear'), viewer)).toBe('dev@acme.example');
    const asana = { access_token: 't', data: { id: 4673218951, gid: '4673218951', email: 'x@acme.example' } };
    expect(readAccountId(getProvider('asana'), asana)).toBe('4673218951');
  });

  it('qualifies ids that are unique only within a workspace', () => {
    const slack = { ok: true, team: { id: 'T024BE7LD', name: 'Acme' }, authed_user: { id: 'U0G9QF9C6' } };
    expect(readAccountId(getProvider('slack'), slack)).toBe('T024BE7LD:U0G9QF9C6');
    expect(readAccountLabel(getProvider('slack'), slack)).toBe('Acme');
    expect(readAccountId(getProvider('hubspot'), { hub_id: 62515, user_id: 1234567 })).toBe('62515:1234567');
    const notion = { owner: { type: 'user', user: { id: 'u-1' } }, workspace_id: 'w-1', workspace_name: 'Docs' };
    expect(readAccountId(getProvider('notion'), notion)).toBe('w-1:u-1');
  });

  it('refuses a response without a usable id', () => {
    expect(codeOf(() => readAccountId(getProvider('github'), {}))).toBe('account_id_missing');
    expect(codeOf(() => readAccountId(getProvider('github'), { id: '' }))).toBe('account_id_missing');
    expect(codeOf(() => readAccountId(getProvider('github'), { id: { nested: 1 } }))).toBe('account_id_missing');
    expect(codeOf(() => readAccountId(getProvider('github'), { id: 1.5 }))).toBe('account_id_missing');
    expect(codeOf(() => readAccountId(getProvider('slack'), { authed_user: { id: 'U1' } }))).toBe('account_id_missing');
    expect(codeOf(() => readAccountId(getProvider('github'), null))).toBe('account_id_missing');
  });

  it('follows only own properties of the response', () => {
    const inherited = Object.create({ id: 'from-prototype' }) as object;
    expect(codeOf(() => readAccountId(getProvider('github'), inherited))).toBe('account_id_missing');
  });
});

describe('readTokenResponse', () => {
  it("reads Slack's user token from authed_user and its scopes", () => {
    const response = {
      ok: true,
      access_token: 'xoxb-bot',
      scope: 'commands',
      authed_user: {
        id: 'U1234',
        scope: 'users:read,chat:write',
        access_token: 'xoxp-user',
        refresh_token: 'xoxe-1-refresh',
        expires_in: 43200,
        token_type: 'user',
      },
      team: { id: 'T1' },
    };
    expect(readTokenResponse(getProvider('slack'), response, ['users:read'])).toEqual({
      accessToken: 'xoxp-user',
      refreshToken: 'xoxe-1-refresh',
      expiresInSeconds: 43200,
      tokenType: 'user',
      scopes: ['users:read', 'chat:write'],
    });
  });

  it("reads Slack's refresh of a user token, which answers at the top level; a code exchange never so", () => {
    const refreshed = {
      ok: true,
      access_token: 'xoxe.xoxp-1-new',
      refresh_token: 'xoxe-1-next',
      token_type: 'user',
      expires_in: 43200,
      scope: 'users:read,chat:write',
    };
    expect(readTokenResponse(getProvider('slack'), refreshed, ['users:read'], 'refresh_token')).toEqual({
      accessToken: 'xoxe.xoxp-1-new',
      refreshToken: 'xoxe-1-next',
      expiresInSeconds: 43200,
      tokenType: 'user',
      scopes: ['users:read', 'chat:write'],
    });
    // A code exchange without authed_user holds only the app's bot token: not the person's.
    expect(
      codeOf(() =>
        readTokenResponse(getProvider('slack'), { ok: true, access_token: 'xoxb-bot', token_type: 'bot' }, []),
      ),
    ).toBe('invalid_token_response');
  });

  it('reads a standard response and keeps absent fields absent', () => {
    expect(readTokenResponse(getProvider('github'), { access_token: 'gho_1', scope: 'repo,gist' }, [])).toEqual({
      accessToken: 'gho_1',
      scopes: ['repo', 'gist'],
    });
  });

  it('turns error bodies into invalid_token_response without echoing them', () => {
    const slack = () => readTokenResponse(getProvider('slack'), { ok: false, error: 'invalid_code' }, []);
    expect(codeOf(slack)).toBe('invalid_token_response');
    expect(slack).toThrow('Slack refused the token request: invalid_code');
    const rfc = () =>
      readTokenResponse(getProvider('google'), { error: 'invalid_grant', error_description: 'secret-ish' }, []);
    expect(rfc).toThrow('Google refused the token request: invalid_grant');
    expect(codeOf(() => readTokenResponse(getProvider('google'), { token_type: 'Bearer' }, []))).toBe(
      'invalid_token_response',
    );
  });
});
