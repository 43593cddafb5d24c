import { createHash, randomBytes } from 'node:crypto';

// Test infrastructure reads the environment directly: it runs before any app's config is parsed.

const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/** A server URL, as a role that may create databases, on which tests create theirs (the database part is replaced). */
export function testPostgresServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.MIGRATION_DATABASE_URL ?? LOCAL_POSTGRES;
}

function passwordOf(url: string | undefined, role: string): string | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  return decodeURIComponent(parsed.username) === role ? decodeURIComponent(parsed.password) || undefined : undefined;
}

/**
 * Roles are cluster-wide: tests log in with the same passwords as the local deployment's .env, so a test run
 * never changes the password the running platform uses.
 */
export function testRolePasswords(): { app?: string; maintenance?: string } {
  const app = passwordOf(process.env.DATABASE_URL, 'gatehouse_app');
  const maintenance = passwordOf(process.env.MAINTENANCE_DATABASE_URL, 'gatehouse_maintenance');
  return { ...(app ? { app } : {}), ...(maintenance ? { maintenance } : {}) };
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? LOCAL_REDIS;
}

/** Short unique id for names of databases, queues and key prefixes that belong to one test run. */
export function runId(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/**
 * A valid vault keyring for test processes (never a real deployment's keys). Within one test run (one scratch
 * database) a version always gets the same key, as every process of one deployment does: the authorization
 * server's keys, wrapped by the KEK, are shared through the database.
 */
export function testVaultKeys(versions: readonly string[] = ['v1']): string {
  const run = process.env.GATEHOUSE_TEST_DATABASE_URL;
  const key = (version: string) =>
    run
      ? createHash('sha256').update(`gatehouse-test-kek|${run}|${version}`).digest('base64')
      : randomBytes(32).toString('base64');
  return versions.map((version) => `${version}:${key(version)}`).join(',');
}
