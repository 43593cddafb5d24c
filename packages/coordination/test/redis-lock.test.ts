import { randomUUID } from 'node:crypto';
import { testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { LockTimeoutError, SingleFlight, withRedisLock } from '../src/index.js';

const prefix = `test-lock-${randomUUID()}`;
let clients: Redis[];

beforeAll(() => {
  // Separate connections stand for separate processes.
  clients = [0, 1, 2].map(() => new Redis(testRedisUrl(), { maxRetriesPerRequest: null }));
});

afterAll(async () => {
  const keys = await clients[0]!.keys(`${prefix}*`);
  if (keys.length > 0) await clients[0]!.del(...keys);
  for (const client of clients) client.disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withRedisLock', () => {
  it('serializes read-modify-write across connections', async () => {
    const key = `${prefix}:counter`;
    await clients[0]!.set(key, '0');
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        withRedisLock(clients[index % 3]!, `${key}:lock`, { leaseMs: 5_000, waitMs: 10_000, pollMs: 5 }, async () => {
          const value = Number(await clients[0]!.get(key));
          await sleep(2);
          await clients[0]!.set(key, String(value + 1));
        }),
      ),
    );
    expect(await clients[0]!.get(key)).toBe('30');
  });

  it('gives up after waitMs', async () => {
    const lock = `${prefix}:timeout`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let acquired!: () => void;
    const holding = new Promise<void>((resolve) => (acquired = resolve));
    const holder = withRedisLock(clients[0]!, lock, { leaseMs: 10_000, waitMs: 1_000 }, async () => {
      acquired();
      await held;
    });
    await holding;
    await expect(
      withRedisLock(clients[1]!, lock, { leaseMs: 1_000, waitMs: 50 }, async () => {}),
    ).rejects.toBeInstanceOf(LockTimeoutError);
    release();
    await holder;
  });

  it('keeps renewing the lease while the work runs, however long it takes', async () => {
    const lock = `${prefix}:renewed`;
    let acquired!: () => void;
    const holding = new Promise<void>((resolve) => (acquired = resolve));
    const holder = withRedisLock(clients[0]!, lock, { leaseMs: 300, waitMs: 1_000 }, async () => {
      acquired();
      await sleep(1_200);
    });
    await holding;
    // Four leases long: nobody else gets the lock meanwhile.
    await expect(
      withRedisLock(clients[1]!, lock, { leaseMs: 1_000, waitMs: 900, pollMs: 20 }, async () => {}),
    ).rejects.toBeInstanceOf(LockTimeoutError);
    await holder;
    expect(await clients[0]!.exists(lock)).toBe(0);
  });

  it('a holder whose lease ran out does not renew or release its successor', async () => {
    const lock = `${prefix}:lease`;
    let finishSlow!: () => void;
    const slowMayFinish = new Promise<void>((resolve) => (finishSlow = resolve));
    let acquired!: () => void;
    const holding = new Promise<void>((resolve) => (acquired = resolve));
    const slow = withRedisLock(clients[0]!, lock, { leaseMs: 200, waitMs: 1_000 }, async () => {
      acquired();
      await slowMayFinish;
    });
    await holding;
    // The slow holder's lease runs out while it still works (as when it cannot reach Redis to renew it); a
    // successor takes the lock…
    await clients[0]!.del(lock);
    await withRedisLock(clients[2]!, lock, { leaseMs: 10_000, waitMs: 2_000 }, async () => {
      // …and the slow holder's renewals and its release meanwhile leave the successor's lock as it is.
      await sleep(300);
      finishSlow();
      await slow;
      expect(await clients[0]!.pttl(lock)).toBeGreaterThan(9_000);
    });
    expect(await clients[0]!.exists(lock)).toBe(0);
  });
});

describe('SingleFlight', () => {
  it('runs one call per key at a time and shares its result', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const work = async () => {
      const run = (runs += 1);
      await sleep(20);
      return run;
    };
    const results = await Promise.all([flight.run('a', work), flight.run('a', work), flight.run('b', work)]);
    expect(results).toEqual([1, 1, 2]);
    expect(await flight.run('a', work)).toBe(3);
  });
});
