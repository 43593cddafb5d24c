import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RedisLockOptions {
  /**
   * How long the lock holds if its holder dies without releasing it. While the holder lives, the lease is renewed
   * every third of it, so work that takes longer (a slow provider, a saturated database pool) keeps the lock.
   */
  leaseMs: number;
  /** How long to wait for the lock before giving up with `LockTimeoutError`. */
  waitMs: number;
  /** Pause between attempts while someone else holds it. */
  pollMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`waited too long for the lock ${key}`);
    this.name = 'LockTimeoutError';
  }
}

// Deletes the lock only if it is still ours (a lease that ran out may have passed it on).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
// Extends the lease only while the lock is still ours.
const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

/**
 * Runs `work` while holding a Redis lock (`SET key token NX PX lease`), across every process that shares the Redis.
 * The token is random per holder, so a holder whose lease ran out (it could not renew it: Redis unreachable) never
 * renews or releases its successor's lock.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  options: RedisLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const token = randomBytes(16).toString('base64url');
  const deadline = Date.now() + options.waitMs;
  while ((await redis.set(key, token, 'PX', options.leaseMs, 'NX')) !== 'OK') {
    if (Date.now() >= deadline) throw new LockTimeoutError(key);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25));
  }
  const renewal = setInterval(() => {
    redis.eval(RENEW, 1, key, token, options.leaseMs).catch(() => undefined);
  }, options.leaseMs / 3);
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await redis.eval(RELEASE, 1, key, token);
  }
}

/**
 * Collapses concurrent calls with the same key in this process into one: the first runs `work`, the others share
 * its promise. Pairs with `withRedisLock` for single flight across processes.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) return existing;
    const promise = work().finally(() => this.running.delete(key));
    this.running.set(key, promise);
    return promise;
  }
}
