import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testRedisUrl } from './environment.js';

/** A connection to the run's Redis and a key prefix of one test file's own; `close()` deletes its keys. */
export interface ScratchRedis {
  readonly redis: Redis;
  readonly prefix: string;
  close(): Promise<void>;
}

/** Deletes every key under `prefix:` (SCAN and UNLINK in batches: never blocks Redis, whatever their number). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export function scratchRedis(label: string): ScratchRedis {
  const prefix = `test-${label}-${randomUUID()}`;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  return {
    redis,
    prefix,
    async close() {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
