// Loads the built package (Jest runs global setup outside its module mapper). The db package cannot depend on @gatehouse/testing (which depends on it), so it wires the same scratch database.
import { createScratchDatabase } from '../dist/admin.js';

export default async function globalSetup(): Promise<void> {
  const server =
    process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  process.env.GATEHOUSE_TEST_DATABASE_URL = (await createScratchDatabase(server, 'test_db')).url;
}
