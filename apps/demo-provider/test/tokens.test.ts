import {
  admin,
  api,
  basicAuth,
  refresh,
  signIn,
  sleep,
  startProvider,
  stats,
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

beforeEach(async () => {
  expect((await admin(provider, 'POST', '/admin/reset-stats')).status).toBe(204);
});

const OTHER_CLIENT = {
  client_id: 'other-client',
  client_secret: 'other-client-secret-0123456789',
  redirect_uris: ['http://127.0.0.1:9/other-callback'],
};

describe('refresh tokens rotate', () => {
  it('issues a new pair; the spent refresh token is dead and replaying it revokes the whole grant', async () => {
    const first = await signIn(provider);
    const rotated = await refresh(provider, first.refresh_token);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'notes:read notes:write' });
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.body.access_token).not.toBe(first.access_token);
    expect((await api(provider, 'GET', '/api/notes', rotated.body.access_token as string)).status).toBe(200);

    const replay = await refresh(provider, first.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // Reuse detection: the legitimate-looking newer tokens die with the family.
    expect((await refresh(provider, rotated.body.refresh_token as string)).body.error).toBe('invalid_grant');
    expect((await api(provider, 'GET', '/api/notes', rotated.body.access_token as string)).status).toBe(401);

    expect(await stats(provider)).toMatchObject({
      refreshes: 1,
      refreshReuseDetected: 1,
      refreshFailures: 2,
      tokenRequests: 4,
      codeExchanges: 1,
    });
  });

  it('lets exactly one of 100 concurrent refreshes with the same token win', async () => {
    const tokens = await signIn(provider);
    await admin(provider, 'POST', '/admin/reset-stats');
    const results = await Promise.all(Array.from({ length: 100 }, () => refresh(provider, tokens.refresh_token)));
    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status === 400);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(99);
    expect(losers.every((r) => r.body.error === 'invalid_grant')).toBe(true);
    expect(await stats(provider)).toMatchObject({
      tokenRequests: 100,
      refreshes: 1,
      refreshFailures: 99,
      refreshReuseDetected: 99,
    });
    // Like a strict real provider, the reuse revoked the winner's family too.
    expect((await refresh(provider, winners[0]!.body.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  it('can narrow the scope of the new access token but never widen it', async () => {
    const tokens = await signIn(provider, { scope: 'notes:read notes:write' });
    const narrowed = await refresh(provider, tokens.refresh_token, { scope: 'notes:read' });
    expect(narrowed.body.scope).toBe('notes:read');
    const token = narrowed.body.access_token as string;
    expect((await api(provider, 'POST', '/api/notes', token, { title: 'x' })).status).toBe(403);
    // The grant keeps both scopes: the next refresh without `scope` gets them back.
    const full = await refresh(provider, narrowed.body.refresh_token as string);
    expect(full.body.scope).toBe('notes:read notes:write');

    const readOnly = await signIn(provider, { scope: 'notes:read' });
    const widened = await refresh(provider, readOnly.refresh_token, { scope: 'notes:read notes:write' });
    expect(widened.status).toBe(400);
    expect(widened.body.error).toBe('invalid_scope');
    // A refused scope does not spend the token.
    expect((await refresh(provider, readOnly.refresh_token)).status).toBe(200);
  });

  it("refuses another client's refresh token without spending it", async () => {
    await admin(provider, 'POST', '/admin/clients', OTHER_CLIENT);
    const tokens = await signIn(provider);
    const stolen = await tokenRequest(
      provider,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basicAuth(OTHER_CLIENT.client_id, OTHER_CLIENT.client_secret),
    );
    expect(stolen.body.error).toBe('invalid_grant');
    expect((await refresh(provider, tokens.refresh_token)).status).toBe(200);
  });

  it('rejects unknown grant types and refresh requests without a token', async () => {
    expect((await tokenRequest(provider, { grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    expect((await tokenRequest(provider, { grant_type: 'refresh_token' })).body.error).toBe('invalid_request');
    expect((await refresh(provider, 'dprt_made-up')).body.error).toBe('invalid_grant');
    expect(await stats(provider)).toMatchObject({ refreshFailures: 2, refreshes: 0 });
  });
});

describe('test hooks on the token endpoint', () => {
  it('fail-refresh makes every refresh fail with invalid_grant until switched off, spending nothing', async () => {
    const tokens = await signIn(provider);
    expect(await (await admin(provider, 'POST', '/admin/fail-refresh', { enabled: true })).json()).toEqual({
      failRefresh: true,
      as: 'invalid_grant',
    });
    const refused = await refresh(provider, tokens.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    // As an edge's block page: 403, HTML, no OAuth answer at all.
    await admin(provider, 'POST', '/admin/fail-refresh', { enabled: true, as: 'blocked' });
    const blocked = await fetch(`${provider.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('content-type')).toBe('text/html');
    await admin(provider, 'POST', '/admin/fail-refresh', { enabled: false });
    expect((await refresh(provider, tokens.refresh_token)).status).toBe(200);
    expect(await stats(provider)).toMatchObject({ refreshes: 1, refreshFailures: 2, refreshReuseDetected: 0 });
  });

  it('expire-tokens ends every access token now; refreshing still works', async () => {
    const tokens = await signIn(provider);
    const res = await admin(provider, 'POST', '/admin/expire-tokens');
    expect(((await res.json()) as { expired: number }).expired).toBeGreaterThanOrEqual(1);
    const expired = await api(provider, 'GET', '/api/me', tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const renewed = await refresh(provider, tokens.refresh_token);
    expect((await api(provider, 'GET', '/api/me', renewed.body.access_token as string)).status).toBe(200);
  });
});

describe('short access-token lifetime', () => {
  it('with DEMO_PROVIDER_ACCESS_TOKEN_TTL=1 a token works, expires after a second, and refresh renews it', async () => {
    const short = await startProvider({ DEMO_PROVIDER_ACCESS_TOKEN_TTL: '1' });
    try {
      const tokens = await signIn(short);
      expect(tokens.expires_in).toBe(1);
      expect((await api(short, 'GET', '/api/notes', tokens.access_token)).status).toBe(200);
      await sleep(1100);
      const expired = await api(short, 'GET', '/api/notes', tokens.access_token);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toBe(
        'Bearer realm="demo-provider", error="invalid_token", error_description="access token expired"',
      );
      const renewed = await refresh(short, tokens.refresh_token);
      expect(renewed.body.expires_in).toBe(1);
      expect((await api(short, 'GET', '/api/notes', renewed.body.access_token as string)).status).toBe(200);
    } finally {
      await short.close();
    }
  });
});

describe('revocation (RFC 7009)', () => {
  const revoke = (token: string, extra: Record<string, string> = {}, auth?: string) =>
    tokenRequest(provider, { token, ...extra }, auth ?? basicAuth(), '/oauth/revoke');

  it('revoking an access token ends only that token', async () => {
    const tokens = await signIn(provider);
    expect((await revoke(tokens.access_token, { token_type_hint: 'access_token' })).status).toBe(200);
    expect((await api(provider, 'GET', '/api/me', tokens.access_token)).status).toBe(401);
    expect((await refresh(provider, tokens.refresh_token)).status).toBe(200);
  });

  it('revoking a refresh token ends the whole grant, access tokens included', async () => {
    const tokens = await signIn(provider);
    expect((await revoke(tokens.refresh_token)).status).toBe(200);
    expect((await refresh(provider, tokens.refresh_token)).body.error).toBe('invalid_grant');
    const res = await api(provider, 'GET', '/api/me', tokens.access_token);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'access token revoked' });
  });

  it("answers 200 for unknown tokens and other clients' tokens, revoking nothing; requires client auth", async () => {
    await admin(provider, 'POST', '/admin/clients', OTHER_CLIENT);
    const tokens = await signIn(provider);
    expect((await revoke('dpat_unknown')).status).toBe(200);
    const other = basicAuth(OTHER_CLIENT.client_id, OTHER_CLIENT.client_secret);
    expect((await revoke(tokens.refresh_token, {}, other)).status).toBe(200);
    expect((await api(provider, 'GET', '/api/me', tokens.access_token)).status).toBe(200);
    expect(
      (await revoke(tokens.access_token, {}, basicAuth(OTHER_CLIENT.client_id, 'wrong-secret-0123456789'))).status,
    ).toBe(401);
    expect(await stats(provider)).toMatchObject({ revocations: 2 });
  });
});
