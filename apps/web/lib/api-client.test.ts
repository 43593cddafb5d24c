import { fetchSystemStatus } from './api-client.js';

const status = {
  name: 'Gatehouse',
  version: '0.1.0',
  environment: 'test',
  time: new Date().toISOString(),
  api: { status: 'ready', service: 'api', version: '0.1.0', checks: {}, down: [] },
  worker: { lastHeartbeatAgeSeconds: 2, waitingJobs: 0 },
};

const answer =
  (body: unknown, status = 200): typeof fetch =>
  async () =>
    new Response(JSON.stringify(body), { status });

describe('fetchSystemStatus', () => {
  it('returns validated data', async () => {
    await expect(fetchSystemStatus('http://api', answer(status))).resolves.toEqual({ ok: true, data: status });
  });

  it('explains an unreachable api', async () => {
    const refused: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    await expect(fetchSystemStatus('http://api', refused)).resolves.toEqual({
      ok: false,
      reason: 'The Gatehouse API is not reachable. Is it running?',
    });
  });

  it('explains an error status and an unexpected body', async () => {
    await expect(fetchSystemStatus('http://api', answer({}, 503))).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('503'),
    });
    await expect(fetchSystemStatus('http://api', answer({ nope: true }))).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining('unexpected format'),
    });
  });
});
