import { problemDetails } from '@gatehouse/contracts';
import { randomUUID } from 'node:crypto';
import { LockTimeoutError } from '@gatehouse/coordination';
import { VaultError } from '@gatehouse/vault';
import { toProblem } from '../src/common/problem-details.js';
import { callAs, signUp, startApi, type RunningApi } from './helpers.js';

describe('failures the api cannot word better where they happen', () => {
  it('a deadlock or serialization failure is a 503 to send again, not a server error', () => {
    for (const error of [
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
      { cause: { originalCode: '40001' } },
      Object.assign(new Error('Transaction failed due to a write conflict or a deadlock'), { code: 'P2034' }),
    ])
      expect(toProblem(error)).toMatchObject({
        problem: { status: 503, code: 'conflict_retry' },
        unexpected: false,
        retryAfter: 1,
      });
  });

  it('a vault that cannot open a secret is a 503 (logged), a lock held too long a 503 to retry', () => {
    expect(toProblem(new VaultError('decrypt_failed', 'key material'))).toMatchObject({
      problem: { status: 503, code: 'vault_unavailable' },
      unexpected: true,
    });
    expect(JSON.stringify(toProblem(new VaultError('decrypt_failed', 'key material')).problem)).not.toContain(
      'key material',
    );
    expect(toProblem(new LockTimeoutError('gh:lock'))).toMatchObject({
      problem: { status: 503, code: 'busy' },
      retryAfter: 5,
    });
  });
});

describe('errors are problem+json, never stack traces', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  async function expectProblem(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await res.text();
    expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/); // no stack frames
    const body = problemDetails.parse(JSON.parse(text));
    expect(body.code).toBe(code);
    return body;
  }

  it('404 for an unknown route', async () => {
    const body = await expectProblem(await fetch(`${api.url}/api/v1/nothing-here`), 404, 'not_found');
    expect(body.instance).toBe('/api/v1/nothing-here');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('400 for a malformed JSON body', async () => {
    const res = await fetch(`${api.url}/api/v1/system/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated": ',
    });
    await expectProblem(res, 400, 'malformed_body');
  });

  it('400, not 500, for text PostgreSQL cannot store (a NUL character), wherever it is sent', async () => {
    const alice = await signUp(api, 'nul');
    const body = await expectProblem(
      await callAs(api, 'POST', '/api/v1/tenants', alice, { slug: `t-${randomUUID().slice(0, 8)}`, name: 'a\u0000b' }),
      400,
      'invalid_text',
    );
    expect(body.detail).toContain('U+0000');
  });

  it('413 for an oversized body', async () => {
    const res = await fetch(`${api.url}/api/v1/system/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
    });
    await expectProblem(res, 413, 'payload_too_large');
  });
});
