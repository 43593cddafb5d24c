import type { Prisma } from '../generated/prisma/client.js';
import type { DbExecutor } from '../client.js';

export interface ProviderAppRecord {
  id: string;
  tenantId: string;
  providerId: string;
  clientId: string;
  allowedScopes: string[];
  settings: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: true,
  tenantId: true,
  providerId: true,
  clientId: true,
  allowedScopes: true,
  settings: true,
  createdAt: true,
  updatedAt: true,
} as const;

type Row = Omit<ProviderAppRecord, 'settings'> & { settings: Prisma.JsonValue };

function toRecord(row: Row): ProviderAppRecord {
  return { ...row, settings: (row.settings ?? {}) as Record<string, string> };
}

/** A tenant's OAuth apps at providers. Runs inside a tenant scope (withTenant); row-level security applies. */
export class ProviderAppRepository {
  constructor(private readonly db: DbExecutor) {}

  /** Creates the tenant's app for the provider or replaces its settings (one app per provider and tenant). */
  async save(input: {
    tenantId: string;
    providerId: string;
    clientId: string;
    allowedScopes: string[];
    settings: Record<string, string>;
  }): Promise<{ app: ProviderAppRecord; created: boolean }> {
    const data = { clientId: input.clientId, allowedScopes: input.allowedScopes, settings: input.settings };
    // Two first saves at once: the later insert waits for the earlier and does nothing (a failed insert would abort
    // the transaction), then updates what the earlier created.
    const { count } = await this.db.providerApp.createMany({
      data: [{ tenantId: input.tenantId, providerId: input.providerId, ...data }],
      skipDuplicates: true,
    });
    const where = { tenantId_providerId: { tenantId: input.tenantId, providerId: input.providerId } };
    if (count === 1)
      return { app: toRecord(await this.db.providerApp.findUniqueOrThrow({ where, select: columns })), created: true };
    const app = await this.db.providerApp.update({ where, data, select: columns });
    return { app: toRecord(app), created: false };
  }

  async find(tenantId: string, providerId: string): Promise<ProviderAppRecord | null> {
    const row = await this.db.providerApp.findFirst({ where: { tenantId, providerId }, select: columns });
    return row ? toRecord(row) : null;
  }

  async list(tenantId: string): Promise<ProviderAppRecord[]> {
    const rows = await this.db.providerApp.findMany({
      where: { tenantId },
      select: columns,
      orderBy: { providerId: 'asc' },
    });
    return rows.map(toRecord);
  }

  async delete(tenantId: string, providerId: string): Promise<ProviderAppRecord | null> {
    const app = await this.find(tenantId, providerId);
    if (!app) return null;
    await this.db.providerApp.deleteMany({ where: { tenantId, id: app.id } });
    return app;
  }
}
