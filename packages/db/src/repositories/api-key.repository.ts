import type { DbExecutor } from '../client.js';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const columns = {
  id: true,
  tenantId: true,
  name: true,
  scopes: true,
  createdBy: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

/** Runs inside a tenant scope (withTenant). The secret hash is read only by `credentialsOf`. */
export class ApiKeyRepository {
  constructor(private readonly db: DbExecutor) {}

  create(input: {
    id: string;
    tenantId: string;
    name: string;
    scopes: string[];
    secretHash: Buffer;
    createdBy: string | null;
    expiresAt: Date | null;
  }) {
    return this.db.apiKey.create({ data: { ...input, secretHash: new Uint8Array(input.secretHash) }, select: columns });
  }

  list(tenantId: string): Promise<ApiKeyRecord[]> {
    return this.db.apiKey.findMany({ where: { tenantId }, select: columns, orderBy: { createdAt: 'desc' } });
  }

  async credentialsOf(tenantId: string, id: string): Promise<(ApiKeyRecord & { secretHash: Buffer }) | null> {
    const row = await this.db.apiKey.findFirst({ where: { tenantId, id }, select: { ...columns, secretHash: true } });
    return row ? { ...row, secretHash: Buffer.from(row.secretHash) } : null;
  }

  async touch(tenantId: string, id: string, now: Date): Promise<void> {
    await this.db.apiKey.updateMany({ where: { tenantId, id }, data: { lastUsedAt: now } });
  }

  async revoke(tenantId: string, id: string, now: Date): Promise<boolean> {
    return (
      (await this.db.apiKey.updateMany({ where: { tenantId, id, revokedAt: null }, data: { revokedAt: now } }))
        .count === 1
    );
  }
}
