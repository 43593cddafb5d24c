import { afterTransactionNotingAuthChanges } from './auth-changes.js';
import type { Database, DbExecutor } from './client.js';

/** Who a unit of work runs for; both settings are transaction-local and read by row-level security policies. */
export interface Scope {
  tenantId?: string;
  userId?: string;
}

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

/**
 * Runs `work` in one transaction whose row-level security context is `scope`. Repositories for tenant-owned
 * tables take the executor this hands them, so every query of the unit of work sees only that tenant's rows —
 * even one whose own WHERE clause forgot the tenant.
 */
export function withScope<T>(db: Database, scope: Scope, work: (tx: DbExecutor) => Promise<T>): Promise<T> {
  return afterTransactionNotingAuthChanges(() =>
    db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId ?? ''}, true), set_config('app.user_id', ${scope.userId ?? ''}, true)`;
      return work(tx);
    }, TRANSACTION_OPTIONS),
  );
}

export function withTenant<T>(db: Database, tenantId: string, work: (tx: DbExecutor) => Promise<T>): Promise<T> {
  return withScope(db, { tenantId }, work);
}
