import { testRedisUrl } from './environment.js';

function fromSetup(variable: string): string {
  const url = process.env[variable];
  if (!url) throw new Error('no test database: add @gatehouse/testing/jest/global-setup to this jest config');
  return url;
}

/** Inside a test worker: the run's own database, as its owner (set-up, assertions that must see every row). */
export function testDatabaseUrl(): string {
  return fromSetup('GATEHOUSE_TEST_DATABASE_URL');
}

/** The run's database as gatehouse_app — what the api and worker connect as; row-level security applies. */
export function testAppDatabaseUrl(): string {
  return fromSetup('GATEHOUSE_TEST_APP_DATABASE_URL');
}

/** The run's database as gatehouse_maintenance (BYPASSRLS), for cross-tenant jobs. */
export function testMaintenanceDatabaseUrl(): string {
  return fromSetup('GATEHOUSE_TEST_MAINTENANCE_DATABASE_URL');
}

/** A prefix for Redis keys and BullMQ queues owned by this run. */
export function testPrefix(): string {
  return process.env.GATEHOUSE_TEST_PREFIX ?? 'gh-test-local';
}

export { testRedisUrl };
