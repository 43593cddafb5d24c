import type { Database, DbExecutor } from '../client.js';
import { isUniqueViolation as isPrismaUniqueViolation } from '../errors.js';
import { withTenant } from '../scope.js';

// Implements the vault's DataKeyStore (packages/vault) structurally; this package does not depend on the vault.

export interface DataKeyRow {
  tenantId: string;
  version: number;
  wrapped: Buffer;
  kekVersion: string;
  state: 'active' | 'decrypt_only';
}

interface Row {
  tenantId: string;
  version: number;
  wrappedKey: Uint8Array;
  kekVersion: string;
  state: string;
}

const columns = { tenantId: true, version: true, wrappedKey: true, kekVersion: true, state: true } as const;

function toRecord(row: Row): DataKeyRow {
  return {
    tenantId: row.tenantId,
    version: row.version,
    wrapped: Buffer.from(row.wrappedKey),
    kekVersion: row.kekVersion,
    state: row.state === 'active' ? 'active' : 'decrypt_only',
  };
}

export class DataKeyRepository {
  /**
   * @param db the application connection (row-level security applies).
   * @param maintenance a BYPASSRLS connection, needed only for cross-tenant KEK rotation and reporting.
   */
  constructor(
    private readonly db: Database,
    private readonly maintenance?: Database,
  ) {}

  private get crossTenant(): Database {
    if (!this.maintenance) throw new Error('cross-tenant key operations need the maintenance database connection');
    return this.maintenance;
  }

  active(tenantId: string): Promise<DataKeyRow | null> {
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.tenantDataKey.findFirst({
        where: { tenantId, state: 'active' },
        select: columns,
        orderBy: { version: 'desc' },
      });
      return row ? toRecord(row) : null;
    });
  }

  find(tenantId: string, version: number): Promise<DataKeyRow | null> {
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.tenantDataKey.findUnique({
        where: { tenantId_version: { tenantId, version } },
        select: columns,
      });
      return row ? toRecord(row) : null;
    });
  }

  /** Demotes the current active key and inserts `version` as active, atomically; null when it already exists. */
  insertActive(record: {
    tenantId: string;
    version: number;
    wrapped: Buffer;
    kekVersion: string;
  }): Promise<DataKeyRow | null> {
    return withTenant(this.db, record.tenantId, async (tx) => {
      // Demoting takes the row lock that concurrent secret writes share (see SecretRepository.upsert).
      await tx.tenantDataKey.updateMany({
        where: { tenantId: record.tenantId, state: 'active' },
        data: { state: 'decrypt_only' },
      });
      const inserted = await tx.$executeRaw`
        INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, kek_version, state)
        VALUES (${record.tenantId}::uuid, ${record.version}, ${record.wrapped}, ${record.kekVersion}, 'active')
        ON CONFLICT DO NOTHING`;
      if (inserted === 0) throw new DataKeyRace();
      return { ...record, state: 'active' as const };
    }).catch((error: unknown) => {
      if (error instanceof DataKeyRace || isUniqueViolation(error)) return null;
      throw error;
    });
  }

  rewrap(
    tenantId: string,
    version: number,
    from: string,
    to: { kekVersion: string; wrapped: Buffer },
  ): Promise<boolean> {
    return withTenant(this.db, tenantId, async (tx) => {
      const { count } = await tx.tenantDataKey.updateMany({
        where: { tenantId, version, kekVersion: from },
        data: { kekVersion: to.kekVersion, wrappedKey: new Uint8Array(to.wrapped) },
      });
      return count === 1;
    });
  }

  async listNotWrappedWith(activeKekVersion: string, limit: number): Promise<DataKeyRow[]> {
    const rows = await this.crossTenant.tenantDataKey.findMany({
      where: { kekVersion: { not: activeKekVersion } },
      select: columns,
      orderBy: [{ tenantId: 'asc' }, { version: 'asc' }],
      take: limit,
    });
    return rows.map(toRecord);
  }

  async countByKekVersion(): Promise<Record<string, number>> {
    const groups = await this.crossTenant.tenantDataKey.groupBy({ by: ['kekVersion'], _count: { _all: true } });
    return Object.fromEntries(groups.map((group) => [group.kekVersion, group._count._all]));
  }

  async delete(tenantId: string, version: number): Promise<void> {
    await withTenant(this.db, tenantId, (tx) =>
      tx.tenantDataKey.deleteMany({ where: { tenantId, version, state: 'decrypt_only' } }),
    );
  }

  destroyAll(tenantId: string): Promise<number> {
    return withTenant(
      this.db,
      tenantId,
      async (tx) => (await tx.tenantDataKey.deleteMany({ where: { tenantId } })).count,
    );
  }
}

/**
 * Crypto-shredding inside a caller's tenant-scoped transaction (tenant deletion): the tenant's data keys go in the
 * same commit as everything else it owns. Returns how many were destroyed.
 */
export async function destroyDataKeysIn(tx: DbExecutor, tenantId: string): Promise<number> {
  return (await tx.tenantDataKey.deleteMany({ where: { tenantId } })).count;
}

class DataKeyRace extends Error {}

/** Two processes creating the same tenant's first data key: the loser sees 23505 on the one-active index. */
function isUniqueViolation(error: unknown): boolean {
  if (isPrismaUniqueViolation(error)) return true;
  const cause = (error as { cause?: { originalCode?: unknown } } | null)?.cause;
  return cause?.originalCode === '23505' || (error instanceof Error && error.message.includes('23505'));
}
