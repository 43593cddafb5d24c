import { randomBytes } from 'node:crypto';

// Test infrastructure reads the environment directly: it runs before any app's config is parsed.

const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/** A server URL tests may create databases on (the database part is replaced). */
export function testPostgresServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? LOCAL_POSTGRES;
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? LOCAL_REDIS;
}

/** Short unique id for names of databases, queues and key prefixes that belong to one test run. */
export function runId(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
