// Loads the built package (Jest runs global setup outside its module mapper). The db package cannot depend on
// @gatehouse/testing (which depends on it), so it wires the same one-database-per-run set-up itself.
import { APP_ROLE, createScratchDatabase, MAINTENANCE_ROLE } from '../dist/admin.js';

export default async function globalSetup(): Promise<void> {
  const server =
    process.env.TEST_DATABASE_URL ??
    process.env.MIGRATION_DATABASE_URL ??
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const passwordOf = (variable: string, role: string): string | undefined => {
    const value = process.env[variable];
    const url = value ? new URL(value) : undefined;
    return url && decodeURIComponent(url.username) === role ? decodeURIComponent(url.password) || undefined : undefined;
  };
  const app = passwordOf('DATABASE_URL', APP_ROLE);
  const maintenance = passwordOf('MAINTENANCE_DATABASE_URL', MAINTENANCE_ROLE);
  const database = await createScratchDatabase(server, 'test_db', {
    ...(app ? { app } : {}),
    ...(maintenance ? { maintenance } : {}),
  });
  process.env.GATEHOUSE_TEST_DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_APP_DATABASE_URL = database.appUrl;
  process.env.GATEHOUSE_TEST_MAINTENANCE_DATABASE_URL = database.maintenanceUrl;
}
