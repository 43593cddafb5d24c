import { dropDatabase } from '../dist/admin.js';

export default async function globalTeardown(): Promise<void> {
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (url && process.env.GATEHOUSE_KEEP_TEST_DATABASE !== '1') await dropDatabase(url);
}
