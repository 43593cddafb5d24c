// Loads the built package (Jest runs global setup outside its module mapper). The db package cannot depend on
// @gatehouse/testing (which depends on it), so it wires the same one-database-per-run set-up itself.
import { APP_ROLE, createScratchDatabase } from '../dist/admin.js';

export default async function globalSetup(): Promise<void> {
  const server =
    process.env.TEST_DATABASE_URL ??
    process.env.MIGRATION_DATABASE_URL ??
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const app = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL) : undefined;
  const appPassword = app && decodeURIComponent(app.username) === APP_ROLE ? decodeURIComponent(app.password) : '';
  const database = await createScratchDatabase(server, 'test_db', appPassword ? { app: appPassword } : {});
  process.env.GATEHOUSE_TEST_DATABASE_URL = database.url;
  process.env.GATEHOUSE_TEST_APP_DATABASE_URL = database.appUrl;
}
