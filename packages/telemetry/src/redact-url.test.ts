import { createLogger } from './index.js';
import { redactRequest, redactResponse, redactUrl } from './logger.js';
import { Writable } from 'node:stream';

describe('redactUrl', () => {
  it('replaces the values of credential query parameters and keeps the rest', () => {
    expect(redactUrl('/api/v1/connections/callback?code=abc&state=xyz&iss=https%3A%2F%2Fp')).toBe(
      '/api/v1/connections/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fp',
    );
    expect(redactUrl('/x?ACCESS_TOKEN=1&%74oken=2&q=3')).toBe('/x?ACCESS_TOKEN=[redacted]&%74oken=[redacted]&q=3');
    expect(redactUrl('/plain')).toBe('/plain');
    expect(redactUrl('/x?code')).toBe('/x?code');
  });

  it('redacts the serialized query object too', () => {
    expect(redactRequest({ url: '/cb?code=1', query: { code: '1', page: '2' } })).toEqual({
      url: '/cb?code=[redacted]',
      query: { code: '[redacted]', page: '2' },
    });
  });

  it('redacts a response Location (an OAuth redirect) and a proxy credential', () => {
    expect(
      redactResponse({
        statusCode: 303,
        headers: { location: 'https://console.example/api/v1/connections/callback?state=s1&code=c1&via=console' },
      }),
    ).toEqual({
      statusCode: 303,
      headers: {
        location: 'https://console.example/api/v1/connections/callback?state=[redacted]&code=[redacted]&via=console',
      },
    });
    expect(redactResponse({ statusCode: 200, headers: {} })).toEqual({ statusCode: 200, headers: {} });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    createLogger({ service: 'api', level: 'info', destination: stream }).info({
      req: { headers: { 'proxy-authorization': 'Basic canary-proxy' } },
    });
    expect(lines.join('')).not.toContain('canary-proxy');
  });
});
