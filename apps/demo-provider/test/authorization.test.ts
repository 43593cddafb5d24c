import {
  api,
  authorize,
  authorizeUrl,
  basicAuth,
  CLIENT,
  openApprovalPage,
  pkcePair,
  REDIRECT_URI,
  signIn,
  startProvider,
  stats,
  submitApproval,
  tokenRequest,
  type Provider,
} from './harness.js';

let provider: Provider;

beforeAll(async () => {
  provider = await startProvider();
});

afterAll(async () => {
  await provider.close();
});

describe('authorization code + PKCE through the approval page', () => {
  it('serves the approval page with a CSRF cookie and framing and form-action limits', async () => {
    const { challenge } = pkcePair();
    const res = await fetch(authorizeUrl(provider, { challenge }));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Authorize gatehouse-test');
    expect(html).toContain('value="notes:read" checked');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self' http://127.0.0.1:9");
    expect(res.headers.get('set-cookie')).toMatch(/^dp_csrf_[0-9a-f-]+=csrf_[\w-]+; Path=\/; HttpOnly; SameSite=Lax/);
  });

  it('redirects back with code and state, and the code buys working tokens', async () => {
    const { params, code, verifier } = await authorize(provider, { state: 'xyz' });
    expect(params.get('state')).toBe('xyz');
    expect(code).toMatch(/^dpac_/);

    const res = await tokenRequest(provider, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^dpat_/),
      refresh_token: expect.stringMatching(/^dprt_/),
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'notes:read notes:write',
    });
    const me = await api(provider, 'GET', '/api/me', res.body.access_token as string);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ id: expect.stringMatching(/^u_/), username: 'alice' });
  });

  it('accepts client_secret_post and rejects wrong, missing or doubled client authentication', async () => {
    const exchange = async (fields: Record<string, string>, auth?: string) => {
      const { code, verifier } = await authorize(provider);
      const base = {
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      };
      return tokenRequest(provider, { ...base, ...fields }, auth ?? null);
    };
    const posted = await exchange({ client_id: CLIENT.client_id, client_secret: CLIENT.client_secret });
    expect(posted.status).toBe(200);

    const wrongBasic = await exchange({}, basicAuth(CLIENT.client_id, 'not-the-secret-at-all'));
    expect(wrongBasic.status).toBe(401);
    expect(wrongBasic.body.error).toBe('invalid_client');
    expect(wrongBasic.headers.get('www-authenticate')).toBe('Basic realm="demo-provider"');

    const wrongPost = await exchange({ client_id: CLIENT.client_id, client_secret: 'not-the-secret-at-all' });
    expect(wrongPost.status).toBe(401);

    const none = await exchange({});
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_client');

    const both = await exchange({ client_secret: CLIENT.client_secret }, basicAuth());
    expect(both.status).toBe(400);
  });

  it('lets a code be used once; replaying it revokes the tokens it bought', async () => {
    const { code, verifier } = await authorize(provider);
    const fields = {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    };
    const first = await tokenRequest(provider, fields);
    expect(first.status).toBe(200);
    const replay = await tokenRequest(provider, fields);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await api(provider, 'GET', '/api/me', first.body.access_token as string)).status).toBe(401);
  });

  it('rejects a wrong code_verifier, a different redirect_uri and another client', async () => {
    const { code, verifier } = await authorize(provider);
    const fields = { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI };

    const wrong = await tokenRequest(provider, { ...fields, code_verifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({
      error: 'invalid_grant',
      error_description: 'code_verifier does not match the code_challenge',
    });
    const otherRedirect = await tokenRequest(provider, {
      ...fields,
      redirect_uri: CLIENT.redirect_uris[1]!,
      code_verifier: verifier,
    });
    expect(otherRedirect.body.error).toBe('invalid_grant');
    const missing = await tokenRequest(provider, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
    });
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: 'code_verifier is required' });

    // None of the failures spent the code.
    expect((await tokenRequest(provider, { ...fields, code_verifier: verifier })).status).toBe(200);
  });

  it('keeps the query of a registered redirect URI', async () => {
    const { location } = await authorize(provider, { redirectUri: CLIENT.redirect_uris[1]! });
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:9/other');
    expect(location.searchParams.get('keep')).toBe('1');
    expect(location.searchParams.get('code')).toMatch(/^dpac_/);
  });

  it('never redirects to an unregistered redirect_uri or for an unknown client', async () => {
    const { challenge } = pkcePair();
    for (const url of [
      authorizeUrl(provider, { challenge, redirectUri: 'http://127.0.0.1:9/callback/evil' }),
      authorizeUrl(provider, { challenge, redirectUri: 'http://127.0.0.1:9/CALLBACK' }),
      authorizeUrl(provider, { challenge, clientId: 'nobody' }),
    ]) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
    }
  });

  it('sends request errors back to the client: PKCE required and S256 only, known scopes, code flow only', async () => {
    const { challenge } = pkcePair();
    const errorFor = async (edit: (url: URL) => void) => {
      const url = new URL(authorizeUrl(provider, { challenge }));
      edit(url);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('state')).toBe('state-123');
      expect(location.searchParams.get('code')).toBeNull();
      return location.searchParams.get('error');
    };
    expect(await errorFor((u) => u.searchParams.delete('code_challenge'))).toBe('invalid_request');
    expect(await errorFor((u) => u.searchParams.delete('code_challenge_method'))).toBe('invalid_request');
    expect(await errorFor((u) => u.searchParams.set('code_challenge_method', 'plain'))).toBe('invalid_request');
    expect(await errorFor((u) => u.searchParams.set('code_challenge', 'short'))).toBe('invalid_request');
    expect(await errorFor((u) => u.searchParams.set('scope', 'notes:read admin'))).toBe('invalid_scope');
    expect(await errorFor((u) => u.searchParams.delete('scope'))).toBe('invalid_scope');
    expect(await errorFor((u) => u.searchParams.set('response_type', 'token'))).toBe('unsupported_response_type');
    expect(await errorFor((u) => u.searchParams.append('state', 'again'))).toBe('invalid_request');
  });

  it('answers Deny, or approval without any scope, with access_denied', async () => {
    const before = await stats(provider);
    const denied = await authorize(provider, { decision: 'deny', state: 'd1' });
    expect(denied.params.get('error')).toBe('access_denied');
    expect(denied.params.get('state')).toBe('d1');
    expect(denied.code).toBeNull();
    const nothing = await authorize(provider, { grant: [] });
    expect(nothing.params.get('error')).toBe('access_denied');
    expect((await stats(provider)).authorizationsDenied).toBe(before.authorizationsDenied! + 2);
  });

  it('grants only the scopes the person left ticked', async () => {
    const tokens = await signIn(provider, { grant: ['notes:read'] });
    expect(tokens.scope).toBe('notes:read');
    expect((await api(provider, 'POST', '/api/notes', tokens.access_token, { title: 't' })).status).toBe(403);
  });

  it('rejects a form without the matching CSRF token or cookie, and answers each request once', async () => {
    const page = await openApprovalPage(authorizeUrl(provider, { challenge: pkcePair().challenge }));
    expect((await submitApproval(provider, page, { csrf: 'csrf_forged' })).status).toBe(403);
    expect((await submitApproval(provider, page, { cookie: '' })).status).toBe(403);
    const other = await openApprovalPage(authorizeUrl(provider, { challenge: pkcePair().challenge }));
    expect((await submitApproval(provider, page, { cookie: other.cookie, csrf: other.csrf })).status).toBe(403);

    const approved = await submitApproval(provider, page, { grant: ['notes:read'] });
    expect(approved.status).toBe(302);
    expect(approved.headers.get('set-cookie')).toContain('Max-Age=0');
    const again = await submitApproval(provider, page, { grant: ['notes:read'] });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('Request expired');
  });

  it('asks again for an invalid user name without losing the request', async () => {
    const page = await openApprovalPage(authorizeUrl(provider, { challenge: pkcePair().challenge }));
    const bad = await submitApproval(provider, page, { username: 'no spaces please', grant: ['notes:read'] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('A user name is');
    const good = await submitApproval(provider, page, { username: 'Bob', grant: ['notes:read'] });
    expect(good.status).toBe(302);
    expect(new URL(good.headers.get('location')!).searchParams.get('code')).toMatch(/^dpac_/);
  });

  it('publishes RFC 8414 metadata for its public URL', async () => {
    const res = await fetch(`${provider.url}/.well-known/oauth-authorization-server`);
    expect(await res.json()).toMatchObject({
      issuer: provider.url,
      authorization_endpoint: `${provider.url}/oauth/authorize`,
      token_endpoint: `${provider.url}/oauth/token`,
      revocation_endpoint: `${provider.url}/oauth/revoke`,
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['notes:read', 'notes:write'],
    });
    expect(provider.url).toBe(`http://127.0.0.1:${provider.port}`);
  });

  it('writes no code, token, state or secret to its logs', async () => {
    const { params, code, verifier } = await authorize(provider, { state: 'state-secret-marker' });
    const tokens = await tokenRequest(provider, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    await api(provider, 'GET', '/api/me', tokens.body.access_token as string);
    await tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    const logs = provider.logs.join('');
    expect(logs).toContain('"path":"/oauth/token"');
    for (const secret of [
      code!,
      verifier,
      params.get('state')!,
      tokens.body.access_token as string,
      tokens.body.refresh_token as string,
      CLIENT.client_secret,
      'dpat_',
      'dprt_',
      'dpac_',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
