import type { Database } from './client.js';

/** Round-trips a trivial query; rejects when Postgres is unreachable. Callers bound the wait. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
