import { admin, api, signIn, startProvider, stats, type Provider, type Tokens } from './harness.js';

let provider: Provider;
let alice: Tokens;

beforeAll(async () => {
  provider = await startProvider();
  alice = await signIn(provider, { username: 'alice' });
});

afterAll(async () => {
  await provider.close();
});

describe('notes API', () => {
  it('creates, lists, reads and deletes a note, counting reads and writes', async () => {
    await admin(provider, 'POST', '/admin/reset-stats');
    const created = await api(provider, 'POST', '/api/notes', alice.access_token, { title: 'Groceries', body: 'milk' });
    expect(created.status).toBe(201);
    const note = (await created.json()) as { id: string };
    expect(note).toEqual({ id: expect.any(String), title: 'Groceries', body: 'milk', createdAt: expect.any(String) });
    expect(created.headers.get('location')).toBe(`/api/notes/${note.id}`);

    const list = await api(provider, 'GET', '/api/notes', alice.access_token);
    expect(((await list.json()) as { notes: unknown[] }).notes).toContainEqual(note);
    const one = await api(provider, 'GET', `/api/notes/${note.id}`, alice.access_token);
    expect(await one.json()).toEqual(note);

    expect((await api(provider, 'DELETE', `/api/notes/${note.id}`, alice.access_token)).status).toBe(204);
    expect((await api(provider, 'GET', `/api/notes/${note.id}`, alice.access_token)).status).toBe(404);
    expect((await api(provider, 'DELETE', `/api/notes/${note.id}`, alice.access_token)).status).toBe(404);
    expect(await stats(provider)).toMatchObject({ writes: 2, reads: 2, apiRequests: 6 });
  });

  it("keeps each user's notes to that user", async () => {
    const bob = await signIn(provider, { username: 'bob' });
    const created = await api(provider, 'POST', '/api/notes', alice.access_token, { title: 'private' });
    const { id } = (await created.json()) as { id: string };
    expect((await api(provider, 'GET', `/api/notes/${id}`, bob.access_token)).status).toBe(404);
    expect((await api(provider, 'DELETE', `/api/notes/${id}`, bob.access_token)).status).toBe(404);
    expect(await (await api(provider, 'GET', '/api/notes', bob.access_token)).json()).toEqual({ notes: [] });
    expect((await api(provider, 'GET', `/api/notes/${id}`, alice.access_token)).status).toBe(200);
  });

  it('gives the same user the same id on every sign-in', async () => {
    const again = await signIn(provider, { username: 'ALICE' });
    const first = await (await api(provider, 'GET', '/api/me', alice.access_token)).json();
    expect(await (await api(provider, 'GET', '/api/me', again.access_token)).json()).toEqual(first);
    const carol = await signIn(provider, { username: 'carol' });
    expect(await (await api(provider, 'GET', '/api/me', carol.access_token)).json()).not.toEqual(first);
  });

  it('validates the note body', async () => {
    const post = (body: unknown) => api(provider, 'POST', '/api/notes', alice.access_token, body);
    for (const body of [{ body: 'no title' }, { title: '   ' }, { title: 'x', extra: 1 }, { title: 'x'.repeat(201) }]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
    const text = await fetch(`${provider.url}/api/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.access_token}`, 'content-type': 'text/plain' },
      body: 'title',
    });
    expect(text.status).toBe(415);
  });
});

describe('bearer tokens and scopes (RFC 6750)', () => {
  it('asks for a token without naming an error when none was sent', async () => {
    const before = await stats(provider);
    const res = await api(provider, 'GET', '/api/notes');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="demo-provider"');
    const bad = await api(provider, 'GET', '/api/notes', 'dpat_not-a-real-token');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe(
      'Bearer realm="demo-provider", error="invalid_token", error_description="unknown access token"',
    );
    expect((await stats(provider)).apiUnauthorized).toBe(before.apiUnauthorized! + 2);
  });

  it('needs notes:read to read and notes:write to write', async () => {
    const reader = await signIn(provider, { scope: 'notes:read' });
    const writer = await signIn(provider, { scope: 'notes:write' });
    const before = await stats(provider);

    const denied = await api(provider, 'POST', '/api/notes', reader.access_token, { title: 'nope' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(
      'Bearer realm="demo-provider", error="insufficient_scope", scope="notes:write"',
    );
    expect(((await denied.json()) as { error: string }).error).toBe('insufficient_scope');
    expect((await api(provider, 'DELETE', '/api/notes/1', reader.access_token)).status).toBe(403);
    expect((await api(provider, 'GET', '/api/notes', reader.access_token)).status).toBe(200);

    expect((await api(provider, 'POST', '/api/notes', writer.access_token, { title: 'ok' })).status).toBe(201);
    const blind = await api(provider, 'GET', '/api/notes', writer.access_token);
    expect(blind.status).toBe(403);
    expect(blind.headers.get('www-authenticate')).toContain('scope="notes:read"');
    // /api/me needs a valid token, whatever its scopes.
    expect((await api(provider, 'GET', '/api/me', writer.access_token)).status).toBe(200);

    expect(await stats(provider)).toMatchObject({
      apiForbidden: before.apiForbidden! + 3,
      writes: before.writes! + 1,
    });
  });

  it('fail-api answers the next requests with the chosen status, then recovers', async () => {
    const set = await admin(provider, 'POST', '/admin/fail-api', { status: 429, times: 2, retryAfterSeconds: 7 });
    expect(await set.json()).toEqual({ status: 429, remaining: 2 });
    for (let i = 0; i < 2; i += 1) {
      const res = await api(provider, 'GET', '/api/notes', alice.access_token);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await api(provider, 'GET', '/api/notes', alice.access_token)).status).toBe(200);

    await admin(provider, 'POST', '/admin/fail-api', { status: 503, times: 5 });
    expect((await api(provider, 'GET', '/api/me', alice.access_token)).status).toBe(503);
    await admin(provider, 'POST', '/admin/fail-api', { status: 503, times: 0 });
    expect((await api(provider, 'GET', '/api/me', alice.access_token)).status).toBe(200);
  });
});
