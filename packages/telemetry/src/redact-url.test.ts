import { redactRequest, redactUrl } from './logger.js';

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
});
