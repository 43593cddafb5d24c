import { testRedisUrl } from './environment.js';

/** Inside a test worker: the run's own database URL (set by the global setup). */
export function testDatabaseUrl(): string {
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (!url) throw new Error('no test database: add @gatehouse/testing/jest/global-setup to this jest config');
  return url;
}

/** A prefix for Redis keys and BullMQ queues owned by this run. */
export function testPrefix(): string {
  return process.env.GATEHOUSE_TEST_PREFIX ?? 'gh-test-local';
}

export { testRedisUrl };
