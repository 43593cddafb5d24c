import { afterTransactionNotingAuthChanges, changingAuth } from '../src/auth-changes.js';
import { AccessCache, noteAuthChange } from '../src/index.js';

// The cache's own rules; that every revocation path reaches it is checked where it is used (tests/e2e
// mcp-oauth-negative for the api's token lookups, packages/connections for the worker's tool-call reads).

interface Row {
  role: string;
  payload: { n: number };
  sealed?: Buffer;
}

/** A loader that counts its reads. */
function counting(row: Row | undefined, during?: () => void) {
  const load = Object.assign(
    async () => {
      load.calls += 1;
      during?.();
      return row && { ...structuredClone(row), ...(row.sealed ? { sealed: Buffer.from(row.sealed) } : {}) };
    },
    { calls: 0 },
  );
  return load;
}

const row: Row = { role: 'member', payload: { n: 1 } };

it('answers again from memory until a change is noted, then reads again', async () => {
  const cache = new AccessCache<Row>({ live: true });
  const load = counting(row);
  expect(await cache.read('t1 sha256:a', load)).toEqual(row);
  expect(await cache.read('t1 sha256:a', load)).toEqual(row);
  expect(load.calls).toBe(1);
  await cache.read('t2 sha256:a', load);
  expect(load.calls).toBe(2);
  noteAuthChange();
  await cache.read('t1 sha256:a', load);
  expect(load.calls).toBe(3);
});

it('hands out what it remembers frozen, the first time too: a caller cannot change what the next one gets', async () => {
  const cache = new AccessCache<Row>({ live: true });
  const first = (await cache.read('sha256:b', counting({ ...row, sealed: Buffer.from('sealed') })))!;
  expect(() => {
    first.payload.n = 99;
  }).toThrow(TypeError);
  const second = (await cache.read('sha256:b', counting(row)))!;
  expect(second).toBe(first);
  expect(second.payload.n).toBe(1);
  // Byte buffers cannot be frozen; they stay usable as buffers.
  expect(Buffer.isBuffer(second.sealed)).toBe(true);
  expect(second.sealed!.toString()).toBe('sealed');
});

it('does not remember a read that raced a change', async () => {
  const cache = new AccessCache<Row>({ live: true });
  // A revocation commits while the row is being read: what was read may predate it.
  const racing = counting(row, noteAuthChange);
  await cache.read('sha256:c', racing);
  await cache.read('sha256:c', racing);
  expect(racing.calls).toBe(2);
});

it('does not keep a read made between a change being noted and that change taking effect', async () => {
  // A transaction's write: noted by its repository, visible to other connections only at commit.
  const cache = new AccessCache<Row>({ live: true });
  let committed = row;
  const load = async () => structuredClone(committed);
  let commit!: () => void;
  const transaction = afterTransactionNotingAuthChanges(async () => {
    noteAuthChange();
    await new Promise<void>((resolve) => (commit = resolve));
    committed = { role: 'admin', payload: { n: 2 } };
  });
  expect(await cache.read('sha256:e', load)).toEqual(row);
  commit();
  await transaction;
  expect(await cache.read('sha256:e', load)).toEqual({ role: 'admin', payload: { n: 2 } });

  // The same for one autocommit statement: noted before and after it.
  let applied = row;
  let apply!: () => void;
  const statement = changingAuth(async () => {
    await new Promise<void>((resolve) => (apply = resolve));
    applied = { role: 'member', payload: { n: 3 } };
  });
  expect(await cache.read('sha256:f', async () => structuredClone(applied))).toEqual(row);
  apply();
  await statement;
  expect(await cache.read('sha256:f', async () => structuredClone(applied))).toEqual({
    role: 'member',
    payload: { n: 3 },
  });
});

it('leaves the count alone after a transaction that changed nothing', async () => {
  const cache = new AccessCache<Row>({ live: true });
  const load = counting(row);
  await cache.read('sha256:g', load);
  await afterTransactionNotingAuthChanges(async () => undefined);
  await cache.read('sha256:g', load);
  expect(load.calls).toBe(1);
});

it('remembers nothing while changes cannot be heard, and no row that does not exist', async () => {
  const changes = { live: false };
  const cache = new AccessCache<Row>(changes);
  const load = counting(row);
  await cache.read('sha256:d', load);
  await cache.read('sha256:d', load);
  expect(load.calls).toBe(2);
  changes.live = true;
  const missing = counting(undefined);
  expect(await cache.read('sha256:nope', missing)).toBeUndefined();
  expect(await cache.read('sha256:nope', missing)).toBeUndefined();
  expect(missing.calls).toBe(2);
  expect(cache.size).toBe(0);
});

it('forgets entries after their time and keeps at most maxEntries', async () => {
  const cache = new AccessCache<Row>({ live: true }, { ttlMs: 30, maxEntries: 2 });
  const load = counting(row);
  await cache.read('sha256:e', load);
  await new Promise((resolve) => setTimeout(resolve, 40));
  await cache.read('sha256:e', load);
  expect(load.calls).toBe(2);
  for (const key of ['f', 'g', 'h']) await cache.read(`sha256:${key}`, load);
  expect(cache.size).toBe(2);
});
