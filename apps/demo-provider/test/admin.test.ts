import {
  ADMIN_TOKEN,
  admin,
  api,
  authorize,
  basicAuth,
  signIn,
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

const ADMIN_ENDPOINTS = [
  ['GET', '/admin/stats'],
  ['POST', '/admin/reset-stats'],
  ['POST', '/admin/fail-refresh'],
  ['POST', '/admin/expire-tokens'],
  ['POST', '/admin/fail-api'],
  ['GET', '/admin/clients'],
  ['POST', '/admin/clients'],
] as const;

describe('admin endpoints', () => {
  it.each(ADMIN_ENDPOINTS)('%s %s needs the admin token', async (method, path) => {
    for (const authorization of [undefined, 'Bearer wrong-admin-token-000000', `Basic ${ADMIN_TOKEN}`]) {
      const res = await fetch(`${provider.url}${path}`, {
        method,
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
    }
  });

  it('registers a client with a generated secret, and re-registering replaces the secret', async () => {
    const registration = { client_id: 'seeded', redirect_uris: ['http://127.0.0.1:9/callback'] };
    const created = await admin(provider, 'POST', '/admin/clients', registration);
    expect(created.status).toBe(201);
    const { client_secret: generated } = (await created.json()) as { client_secret: string };
    expect(generated).toMatch(/^dpcs_[\w-]{43}$/);

    // The seeded client runs the whole flow with the secret it was given.
    const { code, verifier } = await authorize(provider, { clientId: 'seeded' });
    const exchange = {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: 'http://127.0.0.1:9/callback',
      code_verifier: verifier,
    };
    const tokens = await tokenRequest(provider, exchange, basicAuth('seeded', generated));
    expect(tokens.status).toBe(200);
    expect((await api(provider, 'GET', '/api/me', tokens.body.access_token as string)).status).toBe(200);

    const replaced = await admin(provider, 'POST', '/admin/clients', {
      ...registration,
      client_secret: 'chosen-by-the-seed-0123456789',
    });
    expect(replaced.status).toBe(200);
    const check = (secret: string) =>
      tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: 'dprt_x' }, basicAuth('seeded', secret));
    expect((await check(generated)).status).toBe(401);
    expect((await check('chosen-by-the-seed-0123456789')).status).toBe(400); // authenticated; the token is unknown

    const list = (await (await admin(provider, 'GET', '/admin/clients')).json()) as { clients: unknown[] };
    expect(list.clients).toContainEqual({ client_id: 'seeded', redirect_uris: ['http://127.0.0.1:9/callback'] });
    expect(JSON.stringify(list)).not.toContain('secret');
  });

  it('rejects malformed registrations', async () => {
    for (const body of [
      { client_id: 'x', redirect_uris: [] },
      { client_id: 'x', redirect_uris: ['not a url'] },
      { client_id: 'x', redirect_uris: ['http://h/cb#frag'] },
      { client_id: 'x', redirect_uris: ['javascript:alert(1)'] },
      { client_id: 'has space', redirect_uris: ['http://h/cb'] },
      { client_id: 'x', client_secret: 'short', redirect_uris: ['http://h/cb'] },
    ]) {
      expect((await admin(provider, 'POST', '/admin/clients', body)).status).toBe(400);
    }
  });

  it('resets the counters', async () => {
    const tokens = await signIn(provider);
    await api(provider, 'POST', '/api/notes', tokens.access_token, { title: 'counted' });
    expect((await stats(provider)).writes).toBeGreaterThan(0);
    await admin(provider, 'POST', '/admin/reset-stats');
    const after = await stats(provider);
    expect(Object.values(after).every((value) => value === 0)).toBe(true);
    expect(Object.keys(after)).toEqual(
      expect.arrayContaining(['tokenRequests', 'refreshes', 'revocations', 'writes', 'reads']),
    );
  });

  it('answers unknown paths 404 and wrong methods 405', async () => {
    expect((await fetch(`${provider.url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${provider.url}/oauth/token`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await fetch(`${provider.url}/healthz`)).status).toBe(200);
  });
});
