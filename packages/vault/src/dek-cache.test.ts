import { ExpiringCache } from './dek-cache.js';

describe('ExpiringCache', () => {
  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new ExpiringCache<number>(2, 1_000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
  });

  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = new ExpiringCache<string>(10, 100, () => now);
    cache.set('k', 'v');
    now = 99;
    expect(cache.get('k')).toBe('v');
    now = 200;
    expect(cache.get('k')).toBeUndefined();
  });
});
