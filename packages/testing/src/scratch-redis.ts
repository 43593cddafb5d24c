import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testRedisUrl } from './environment.js';

/** A connection to the run's Redis and a key prefix of one test file's own; `close()` deletes its keys. */
export interface ScratchRedis {
  readonly redis: Redis;
  readonly prefix: string;
  close(): Promise<void>;
}

export function scratchRedis(label: string): ScratchRedis {
  const prefix = `test-${label}-${randomUUID()}`;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  return {
    redis,
    prefix,
    async close() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
