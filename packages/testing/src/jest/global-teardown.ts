import { dropDatabase } from '@gatehouse/db';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../environment.js';
import { deleteKeysWithPrefix } from '../scratch-redis.js';

/** Drops the run's database and deletes the run's Redis keys (GATEHOUSE_KEEP_TEST_DATABASE=1 keeps both). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.GATEHOUSE_KEEP_TEST_DATABASE === '1') return;
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (url) await dropDatabase(url);
  const prefix = process.env.GATEHOUSE_TEST_PREFIX;
  if (!prefix) return;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } catch {
    // Redis already gone (a suite that stops it): nothing of the run's is left to delete there.
  } finally {
    redis.disconnect();
  }
}
