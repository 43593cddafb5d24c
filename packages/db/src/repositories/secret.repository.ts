import type { Database, DbExecutor } from '../client.js';
import { noteAuthChange } from '../auth-changes.js';
import { withTenant } from '../scope.js';

// Implements the vault's SecretStore (packages/vault) structurally. Only ciphertext ever reaches this table. Writes
// are noted as access changes in this process (`noteAuthChange`): a connection's sealed tokens may be remembered.

export interface SecretRow {
  owner: string;
  purpose: string;
  blob: Buffer;
  dekVersion: number;
}

const columns = { owner: true, purpose: true, blob: true, dekVersion: true } as const;
async function upsertSecret(tx: DbExecutor, tenantId: string, secret: SecretRow): Promise<boolean> {
  const locked = await tx.$queryRaw<{ version: number }[]>`
    SELECT version FROM tenant_data_keys
    WHERE tenant_id = ${tenantId}::uuid AND version = ${secret.dekVersion} AND state = 'active'
    FOR SHARE`;
  if (locked.length === 0) return false;
  await tx.$executeRaw`
    INSERT INTO secrets (tenant_id, owner, purpose, blob, dek_version)
    VALUES (${tenantId}::uuid, ${secret.owner}, ${secret.purpose}, ${secret.blob}, ${secret.dekVersion})
    ON CONFLICT (tenant_id, owner, purpose)
    DO UPDATE SET blob = EXCLUDED.blob, dek_version = EXCLUDED.dek_version, updated_at = CURRENT_TIMESTAMP`;
  return true;
}

const toRow = (row: { owner: string; purpose: string; blob: Uint8Array; dekVersion: number }): SecretRow => ({
  ...row,
  blob: Buffer.from(row.blob),
});

export class SecretRepository {
  constructor(private readonly db: Database) {}

  get(tenantId: string, owner: string, purpose: string): Promise<SecretRow | null> {
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.secret.findUnique({
        where: { tenantId_owner_purpose: { tenantId, owner, purpose } },
        select: columns,
      });
      return row ? toRow(row) : null;
    });
  }

  /** Writes only while `dekVersion` is the tenant's active key, holding a share lock on that key row. */
  upsert(tenantId: string, secret: SecretRow): Promise<boolean> {
    noteAuthChange();
    return withTenant(this.db, tenantId, (tx) => upsertSecret(tx, tenantId, secret));
  }

  /**
   * The vault's store for one unit of work already running in `tx` (scoped to the tenant): the secret is written, or
   * not, with the rows it belongs to — a connection and its tokens, a provider app and its client secret.
   */
  static inTransaction(tx: DbExecutor): Pick<SecretRepository, 'upsert'> {
    return {
      upsert: (tenantId, secret) => {
        noteAuthChange();
        return upsertSecret(tx, tenantId, secret);
      },
    };
  }

  /**
   * Re-seals a secret (key rotation) only if it still holds `previous` and `dekVersion` is still the tenant's active
   * key, holding a share lock on that key row as `upsert` does: a concurrent rotation that has made a newer key (and
   * will delete this one) cannot be handed a secret sealed under a key it is about to delete.
   */
  replace(tenantId: string, secret: SecretRow, previous: Buffer): Promise<boolean> {
    noteAuthChange();
    return withTenant(this.db, tenantId, async (tx) => {
      const locked = await tx.$queryRaw<{ version: number }[]>`
        SELECT version FROM tenant_data_keys
        WHERE tenant_id = ${tenantId}::uuid AND version = ${secret.dekVersion} AND state = 'active'
        FOR SHARE`;
      if (locked.length === 0) return false;
      const count = await tx.$executeRaw`
        UPDATE secrets SET blob = ${secret.blob}, dek_version = ${secret.dekVersion}, updated_at = CURRENT_TIMESTAMP
        WHERE tenant_id = ${tenantId}::uuid AND owner = ${secret.owner} AND purpose = ${secret.purpose} AND blob = ${previous}`;
      return count === 1;
    });
  }

  delete(tenantId: string, owner: string, purpose: string): Promise<boolean> {
    noteAuthChange();
    return withTenant(
      this.db,
      tenantId,
      async (tx) => (await tx.secret.deleteMany({ where: { tenantId, owner, purpose } })).count === 1,
    );
  }

  listByDekVersion(tenantId: string, dekVersion: number, limit: number): Promise<SecretRow[]> {
    return withTenant(this.db, tenantId, async (tx) =>
      (
        await tx.secret.findMany({
          where: { tenantId, dekVersion },
          select: columns,
          take: limit,
          orderBy: [{ owner: 'asc' }, { purpose: 'asc' }],
        })
      ).map(toRow),
    );
  }

  countByDekVersion(tenantId: string, dekVersion: number): Promise<number> {
    return withTenant(this.db, tenantId, (tx) => tx.secret.count({ where: { tenantId, dekVersion } }));
  }
}
