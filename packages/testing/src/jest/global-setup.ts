import { createScratchDatabase } from '@gatehouse/db';
import { runId, testPostgresServerUrl, testRolePasswords } from '../environment.js';

/**
 * Jest globalSetup for suites that touch Postgres/Redis: one fresh, migrated database per test run, and a Redis
 * key prefix of its own, handed to workers through the environment (workers start after this and inherit it).
 */
export default async function globalSetup(): Promise<void> {
  const label = `test_${(process.env.npm_package_name ?? 'run').replace(/^@gatehouse\//, '')}`;
  const database = await createScratchDatabase(testPostgresServerUrl(), label, testRolePasswords());
  process.env.GATEHOUSE_TEST_DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_APP_DATABASE_URL = database.appUrl;
  process.env.GATEHOUSE_TEST_MAINTENANCE_DATABASE_URL = database.maintenanceUrl;
  process.env.GATEHOUSE_TEST_PREFIX = `gh-test-${runId()}`;
}
