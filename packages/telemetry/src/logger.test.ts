import { Writable } from 'node:stream';
import { createLogger, requestIdFrom } from './index.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service and level', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'api', level: 'info', destination: stream }).info({ requestId: 'r1' }, 'hello');
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ service: 'api', level: 'info', msg: 'hello', requestId: 'r1' });
    expect(typeof entry.time).toBe('string');
  });

  it('never writes tokens, cookies or passwords', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'api', level: 'info', destination: stream });
    logger.info({
      req: {
        headers: {
          authorization: 'Bearer canary-token-123',
          cookie: 'sid=canary-cookie',
          'x-csrf-token': 'canary-csrf',
        },
      },
      user: { password: 'canary-password' },
      accessToken: 'canary-access',
      tokens: { access_token: 'canary-wire-access', refresh_token: 'canary-wire-refresh', id_token: 'canary-id' },
      request: { client_secret: 'canary-client-secret', headers: { authorization: 'Basic canary-basic' } },
    });
    const text = lines.join('');
    for (const canary of [
      'canary-token-123',
      'canary-cookie',
      'canary-csrf',
      'canary-password',
      'canary-access',
      'canary-wire-access',
      'canary-wire-refresh',
      'canary-id',
      'canary-client-secret',
      'canary-basic',
    ]) {
      expect(text).not.toContain(canary);
    }
    expect(text).toContain('[redacted]');
  });
});

describe('requestIdFrom', () => {
  it('keeps a well-formed incoming id', () => {
    expect(requestIdFrom('edge-42.abc')).toBe('edge-42.abc');
  });

  it('replaces missing or unsafe ids with a UUID', () => {
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom('bad id\n{"level":"fatal"}')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom('x'.repeat(500))).toMatch(/^[0-9a-f-]{36}$/);
  });
});
