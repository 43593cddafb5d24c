import { heartbeatJob, problemDetails, readinessResponse } from './index.js';

describe('contracts', () => {
  it('accepts a readiness body that names what is down', () => {
    const body = {
      status: 'not_ready',
      service: 'api',
      version: '0.1.0',
      checks: {
        postgres: { status: 'up', latencyMs: 1 },
        redis: { status: 'down', latencyMs: 1000, error: 'timeout' },
      },
      down: ['redis'],
    };
    expect(readinessResponse.parse(body)).toEqual(body);
  });

  it('rejects an unknown dependency name', () => {
    expect(
      readinessResponse.safeParse({ status: 'ready', service: 'a', version: '1', checks: {}, down: ['mysql'] }).success,
    ).toBe(false);
  });

  it('rejects heartbeat payloads with extra or malformed fields', () => {
    expect(heartbeatJob.schema.safeParse({ sentAt: 'yesterday', from: 'api' }).success).toBe(false);
    expect(heartbeatJob.schema.safeParse({ sentAt: new Date().toISOString(), from: 'api', x: 1 }).success).toBe(false);
    expect(heartbeatJob.schema.safeParse({ sentAt: new Date().toISOString(), from: 'api' }).success).toBe(true);
  });

  it('requires problem details to carry a stable code', () => {
    expect(problemDetails.safeParse({ type: 'about:blank', title: 'Not Found', status: 404 }).success).toBe(false);
  });
});
