import { noteAuthChange } from '@gatehouse/db';
import { AccessTokenCache } from '../src/oauth/access-token-cache.js';

// The cache's own rules; that every revocation path reaches it is checked end to end (tests/e2e, mcp-oauth-negative).

interface Row {
  role: string;
  payload: { n: number };
}

/** A loader that counts its reads. */
function counting(row: Row | undefined, during?: () => void) {
  const load = Object.assign(
    async () => {
      load.calls += 1;
      during?.();
      return row && structuredClone(row);
    },
    { calls: 0 },
  );
  return load;
}

const row: Row = { role: 'member', payload: { n: 1 } };

it('answers again from memory until a change is noted, then reads again', async () => {
  const cache = new AccessTokenCache<Row>({ live: true });
  const load = counting(row);
  expect(await cache.read('sha256:a', 't1', load)).toEqual(row);
  expect(await cache.read('sha256:a', 't1', load)).toEqual(row);
  expect(load.calls).toBe(1);
  // Per tenant: a token's role differs between tenants.
  await cache.read('sha256:a', 't2', load);
  expect(load.calls).toBe(2);
  noteAuthChange();
  await cache.read('sha256:a', 't1', load);
  expect(load.calls).toBe(3);
});

it('hands out what it remembers frozen: a caller cannot change what the next one gets', async () => {
  const cache = new AccessTokenCache<Row>({ live: true });
  const first = (await cache.read('sha256:b', 't', counting(row)))!;
  // The first read is the caller's own object; from then on the remembered one, which no one can change.
  first.payload.n = 99;
  const second = (await cache.read('sha256:b', 't', counting(row)))!;
  expect(second.payload.n).toBe(1);
  expect(() => {
    second.payload.n = 42;
  }).toThrow(TypeError);
  expect((await cache.read('sha256:b', 't', counting(row)))!.payload.n).toBe(1);
});

it('does not remember a read that raced a change', async () => {
  const cache = new AccessTokenCache<Row>({ live: true });
  // A revocation commits while the token is being read: what was read may predate it.
  const racing = counting(row, noteAuthChange);
  await cache.read('sha256:c', 't', racing);
  await cache.read('sha256:c', 't', racing);
  expect(racing.calls).toBe(2);
});

it('remembers nothing while changes cannot be heard, and no token that does not exist', async () => {
  const changes = { live: false };
  const cache = new AccessTokenCache<Row>(changes);
  const load = counting(row);
  await cache.read('sha256:d', 't', load);
  await cache.read('sha256:d', 't', load);
  expect(load.calls).toBe(2);
  changes.live = true;
  const missing = counting(undefined);
  expect(await cache.read('sha256:nope', 't', missing)).toBeUndefined();
  expect(await cache.read('sha256:nope', 't', missing)).toBeUndefined();
  expect(missing.calls).toBe(2);
  expect(cache.size).toBe(0);
});

it('forgets entries after their time and keeps at most maxEntries', async () => {
  const cache = new AccessTokenCache<Row>({ live: true }, { ttlMs: 30, maxEntries: 2 });
  const load = counting(row);
  await cache.read('sha256:e', 't', load);
  await new Promise((resolve) => setTimeout(resolve, 40));
  await cache.read('sha256:e', 't', load);
  expect(load.calls).toBe(2);
  for (const key of ['f', 'g', 'h']) await cache.read(`sha256:${key}`, 't', load);
  expect(cache.size).toBe(2);
});
