import type { Database } from './client.js';

/**
 * Readiness probe for the application's connection: PostgreSQL answers, and the connection's role is subject to
 * row-level security. A process pointed at a superuser or BYPASSRLS role would have no tenant isolation, so it
 * reports itself not ready (and stays out of rotation) until DATABASE_URL is fixed. Callers bound the wait.
 */
export async function pingDatabase(db: Database): Promise<void> {
  const [role] = await db.$queryRaw<{ bypasses: boolean }[]>`
    SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user`;
  if (role?.bypasses) {
    throw new Error('DATABASE_URL connects as a role that bypasses row-level security; use gatehouse_app');
  }
}
