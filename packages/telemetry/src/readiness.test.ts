import { checkReadiness } from './readiness.js';

describe('checkReadiness', () => {
  it('is ready when every probe answers', async () => {
    const report = await checkReadiness('api', '1.0.0', { postgres: async () => 1, redis: async () => 'PONG' });
    expect(report).toMatchObject({
      status: 'ready',
      down: [],
      checks: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('names the dependency that fails, with a one-line reason', async () => {
    const report = await checkReadiness('api', '1.0.0', {
      postgres: async () => 1,
      redis: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379\n    at secret://stack')),
    });
    expect(report.status).toBe('not_ready');
    expect(report.down).toEqual(['redis']);
    expect(report.checks.redis?.error).toBe('connect ECONNREFUSED 127.0.0.1:6379');
  });

  it('bounds a hanging probe by the timeout', async () => {
    const started = Date.now();
    const report = await checkReadiness('worker', '1', { postgres: () => new Promise(() => {}) }, 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.down).toEqual(['postgres']);
    expect(report.checks.postgres?.error).toBe('no answer within 100 ms');
  });
});
