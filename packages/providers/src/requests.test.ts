import { getProvider } from './catalog.js';
import { applyApiKey, buildRevocationRequest, buildTokenRequest, buildUserInfoRequest } from './requests.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

const CLIENT = { clientId: 'client-1', clientSecret: 's3cr/t+' };
const BASIC = `Basic ${Buffer.from('client-1:s3cr%2Ft%2B').toString('base64')}`;
const CODE = { grant: 'authorization_code', code: 'c0de', redirectUri: 'https://gh.example/cb' } as const;
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

function form(body: string | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body ?? ''));
}

describe('buildTokenRequest', () => {
  it('sends client credentials in the form body where the provider expects them (GitHub)', () => {
    const request = buildTokenRequest(getProvider('github'), { ...CODE, codeVerifier: VERIFIER }, CLIENT);
    expect(request).toMatchObject({ method: 'POST', url: 'https://github.com/login/oauth/access_token' });
    expect(request.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(form(request.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c0de',
      redirect_uri: 'https://gh.example/cb',
      code_verifier: VERIFIER,
      client_id: 'client-1',
      client_secret: 's3cr/t+',
    });
  });

  it('uses HTTP Basic with form-encoded credentials and a JSON body for Notion', () => {
    const request = buildTokenRequest(getProvider('notion'), { ...CODE, codeVerifier: VERIFIER }, CLIENT);
    expect(request.headers).toMatchObject({ Authorization: BASIC, 'Content-Type': 'application/json' });
    // Notion has no PKCE: the verifier is not sent.
    expect(JSON.parse(request.body!)).toEqual({
      grant_type: 'authorization_code',
      code: 'c0de',
      redirect_uri: 'https://gh.example/cb',
    });
  });

  it('fills templated endpoints and refreshes where the provider refreshes', () => {
    const refresh = { grant: 'refresh_token', refreshToken: 'r1' } as const;
    const microsoft = buildTokenRequest(getProvider('microsoft'), refresh, CLIENT, { tenant: 'organizations' });
    expect(microsoft.url).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/token');
    expect(form(microsoft.body)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'r1' });
    expect(buildTokenRequest(getProvider('figma'), refresh, CLIENT).url).toBe('https://api.figma.com/v1/oauth/refresh');
  });

  it('insists on the code verifier for a provider that requires PKCE', () => {
    const params = { baseUrl: 'http://localhost:4010' };
    expect(codeOf(() => buildTokenRequest(getProvider('demo'), CODE, CLIENT, params))).toBe('pkce_required');
    const request = buildTokenRequest(getProvider('demo'), { ...CODE, codeVerifier: VERIFIER }, CLIENT, params);
    expect(request.url).toBe('http://localhost:4010/oauth/token');
    expect(request.headers.Authorization).toBe(BASIC);
    expect(form(request.body).code_verifier).toBe(VERIFIER);
  });

  it('refuses missing client credentials', () => {
    expect(codeOf(() => buildTokenRequest(getProvider('github'), CODE, { clientId: 'c', clientSecret: '' }))).toBe(
      'invalid_request',
    );
  });
});

describe('buildRevocationRequest', () => {
  it('revokes a GitHub token with DELETE, the client id in the path and Basic auth', () => {
    const request = buildRevocationRequest(getProvider('github'), 'gho_1', { ...CLIENT, clientId: 'Iv1/x' });
    expect(request).toMatchObject({ method: 'DELETE', url: 'https://api.github.com/applications/Iv1%2Fx/token' });
    expect(JSON.parse(request!.body!)).toEqual({ access_token: 'gho_1' });
    expect(request!.headers.Accept).toBe('application/vnd.github+json');
  });

  it('places the token where each provider wants it', () => {
    const google = buildRevocationRequest(getProvider('google'), 'tok', CLIENT)!;
    expect(google.url).toBe('https://oauth2.googleapis.com/revoke');
    expect(form(google.body)).toEqual({ token: 'tok' });
    expect(google.headers.Authorization).toBeUndefined();

    const zoom = buildRevocationRequest(getProvider('zoom'), 'tok', CLIENT)!;
    expect(zoom.url).toBe('https://zoom.us/oauth/revoke?token=tok');
    expect(zoom.headers.Authorization).toBe(BASIC);
    expect(zoom.body).toBeUndefined();

    const dropbox = buildRevocationRequest(getProvider('dropbox'), 'tok', CLIENT)!;
    expect(dropbox.headers.Authorization).toBe('Bearer tok');

    const hubspot = buildRevocationRequest(getProvider('hubspot'), 'refresh', CLIENT)!;
    expect(form(hubspot.body)).toEqual({ token: 'refresh', client_id: 'client-1', client_secret: 's3cr/t+' });

    const gitlab = buildRevocationRequest(getProvider('gitlab'), 'tok', CLIENT, {
      baseUrl: 'https://git.acme.example',
    });
    expect(gitlab!.url).toBe('https://git.acme.example/oauth/revoke');
  });

  it('answers undefined for providers without a revocation endpoint', () => {
    expect(buildRevocationRequest(getProvider('microsoft'), 'tok', CLIENT)).toBeUndefined();
    expect(buildRevocationRequest(getProvider('atlassian'), 'tok', CLIENT)).toBeUndefined();
  });
});

describe('buildUserInfoRequest', () => {
  it('asks Linear for the viewer over GraphQL', () => {
    expect(buildUserInfoRequest(getProvider('linear'), 'lin_1')).toEqual({
      method: 'POST',
      url: 'https://api.linear.app/graphql',
      headers: { Accept: 'application/json', Authorization: 'Bearer lin_1', 'Content-Type': 'application/json' },
      body: '{"query":"query { viewer { id email } }"}',
    });
  });

  it('fills templated user-info URLs and skips providers that identify the account in the token response', () => {
    expect(buildUserInfoRequest(getProvider('demo'), 't', { baseUrl: 'http://127.0.0.1:4010' })).toMatchObject({
      method: 'GET',
      url: 'http://127.0.0.1:4010/api/me',
    });
    expect(buildUserInfoRequest(getProvider('slack'), 't')).toBeUndefined();
  });
});

describe('applyApiKey', () => {
  it('places keys per provider', () => {
    const openai = applyApiKey(getProvider('openai'), { apiKey: 'sk-proj-abcdefghijklmnopqrstuvwx' });
    expect(openai).toEqual({ headers: { Authorization: 'Bearer sk-proj-abcdefghijklmnopqrstuvwx' }, query: {} });
    const anthropic = applyApiKey(getProvider('anthropic'), { apiKey: 'sk-ant-api03-abcdefghijklmnopqrstu' });
    expect(anthropic.headers).toEqual({
      'x-api-key': 'sk-ant-api03-abcdefghijklmnopqrstu',
      'anthropic-version': '2023-06-01',
    });
    const twilio = applyApiKey(getProvider('twilio'), {
      accountSid: `AC${'a'.repeat(32)}`,
      apiKeySid: `SK${'b'.repeat(32)}`,
      apiKeySecret: 'secret',
    });
    expect(twilio.headers.Authorization).toBe(`Basic ${Buffer.from(`SK${'b'.repeat(32)}:secret`).toString('base64')}`);
    expect(applyApiKey(getProvider('postmark'), { serverToken: 'tok' }).headers).toEqual({
      'X-Postmark-Server-Token': 'tok',
    });
  });

  it('refuses missing or malformed credentials before anything is sent', () => {
    expect(codeOf(() => applyApiKey(getProvider('stripe'), {}))).toBe('invalid_credential');
    expect(codeOf(() => applyApiKey(getProvider('stripe'), { apiKey: 'pk_live_publishable0000' }))).toBe(
      'invalid_credential',
    );
    expect(codeOf(() => applyApiKey(getProvider('github'), { apiKey: 'x' }))).toBe('wrong_kind');
  });
});
