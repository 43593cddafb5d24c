import { randomUUID } from 'node:crypto';
import { problemDetails, sessionResponse } from '@gatehouse/contracts';
import { startApi, type RunningApi } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const json = { 'content-type': 'application/json' };

describe('console authentication over HTTP', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_WEB_URL: 'http://console.test' });
  });

  afterAll(async () => {
    await api.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/api/v1/auth/${path}`, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: JSON.stringify(body),
    });

  function cookieOf(res: Response): string {
    const header = res.headers.get('set-cookie') ?? '';
    return header.split(';')[0]!;
  }

  async function signUp() {
    const email = `person-${randomUUID().slice(0, 8)}@example.com`;
    const res = await post('sign-up', { email, password: PASSWORD, displayName: 'Person' });
    expect(res.status).toBe(201);
    return { email, res, body: sessionResponse.parse(await res.json()) };
  }

  it('signs up into a session held by an httpOnly, SameSite=Lax cookie', async () => {
    const { email, res, body } = await signUp();
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^gh_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(body.user.email).toBe(email);
    const session = await fetch(`${api.url}/api/v1/auth/session`, { headers: { cookie: cookieOf(res) } });
    expect(session.status).toBe(200);
    expect(sessionResponse.parse(await session.json())).toEqual(body);
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const { email } = await signUp();
    const strip = (p: ReturnType<typeof problemDetails.parse>) => ({ ...p, requestId: undefined });
    const wrong = await post('sign-in', { email, password: 'wrong password!!' });
    const unknown = await post('sign-in', {
      email: `nobody-${randomUUID()}@example.com`,
      password: 'wrong password!!',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(strip(problemDetails.parse(await wrong.json()))).toEqual(strip(problemDetails.parse(await unknown.json())));
    const ok = await post('sign-in', { email, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(cookieOf(ok)).toMatch(/^gh_session=/);
  });

  it('engages the limiter after repeated failures, with Retry-After, for any email', async () => {
    for (const email of [(await signUp()).email, `ghost-${randomUUID()}@example.com`]) {
      for (let i = 0; i < 5; i += 1)
        expect((await post('sign-in', { email, password: 'wrong password!!' })).status).toBe(401);
      const locked = await post('sign-in', { email, password: PASSWORD });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(problemDetails.parse(await locked.json()).code).toBe('too_many_attempts');
    }
  });

  it('requires the CSRF token to sign out, then ends the session', async () => {
    const { res, body } = await signUp();
    const cookie = cookieOf(res);
    expect((await post('sign-out', {}, { cookie })).status).toBe(403);
    expect((await post('sign-out', {}, { cookie, 'x-csrf-token': 'forged' })).status).toBe(403);
    const out = await post('sign-out', {}, { cookie, 'x-csrf-token': body.csrfToken });
    expect(out.status).toBe(204);
    expect((await fetch(`${api.url}/api/v1/auth/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('takes a session cookie that is not valid percent-encoding for no session (401), not a failure', async () => {
    const answer = await fetch(`${api.url}/api/v1/auth/session`, { headers: { cookie: 'gh_session=%zz' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses credential requests from a foreign origin and malformed bodies', async () => {
    const foreign = await post(
      'sign-in',
      { email: 'a@example.com', password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    const allowed = await post(
      'sign-in',
      { email: `x-${randomUUID()}@example.com`, password: 'x' },
      { origin: 'http://console.test' },
    );
    expect(allowed.status).toBe(401);
    // A body passport cannot read: the missing field is named, not a bare 401.
    const missing = await post('sign-in', { email: 'a@example.com' }, { origin: 'http://console.test' });
    expect(problemDetails.parse(await missing.json())).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [expect.objectContaining({ path: 'password' })],
    });
    const invalid = await post('sign-up', { email: 'not-an-email', password: PASSWORD, displayName: 'X' });
    expect(invalid.status).toBe(400);
    expect(problemDetails.parse(await invalid.json()).code).toBe('validation_failed');
    const weak = await post('sign-up', { email: `w-${randomUUID()}@example.com`, password: 'short', displayName: 'X' });
    expect(problemDetails.parse(await weak.json())).toMatchObject({ status: 400, code: 'weak_password' });
  });
});

describe('the session cookie behind an https console', () => {
  it('is Secure and __Host- when the console is https, even if the api URL is not', async () => {
    const api = await startApi({ PUBLIC_WEB_URL: 'https://console.test', PUBLIC_API_URL: 'http://127.0.0.1:1' });
    try {
      const res = await fetch(`${api.url}/api/v1/auth/sign-up`, {
        method: 'POST',
        headers: { ...json, origin: 'https://console.test' },
        body: JSON.stringify({
          email: `secure-${randomUUID().slice(0, 8)}@example.com`,
          password: PASSWORD,
          displayName: 'Secure',
        }),
      });
      expect(res.status).toBe(201);
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^__Host-gh_session=/);
      expect(setCookie).toMatch(/; Secure/);
    } finally {
      await api.close();
    }
  });
});
