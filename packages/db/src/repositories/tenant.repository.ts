import { DataError, isUniqueViolation } from '../errors.js';
import type { DbExecutor } from '../client.js';

/** Calls per minute; an absent key means the deployment's default. */
export interface ToolLimits {
  perTenant?: number;
  perUser?: number;
  perTool?: number;
  perProvider?: number;
}

export interface TenantRecord {
  id: string;
  slug: string;
  name: string;
  toolLimits: ToolLimits;
  createdAt: Date;
}

const tenantColumns = { id: true, slug: true, name: true, toolLimits: true, createdAt: true } as const;

const LIMIT_KEYS = ['perTenant', 'perUser', 'perTool', 'perProvider'] as const;

function toRecord(row: { id: string; slug: string; name: string; toolLimits: unknown; createdAt: Date }): TenantRecord {
  const stored = (row.toolLimits ?? {}) as Record<string, unknown>;
  const toolLimits: ToolLimits = {};
  for (const key of LIMIT_KEYS) {
    const value = stored[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) toolLimits[key] = value;
  }
  return { ...row, toolLimits };
}

export class TenantRepository {
  constructor(private readonly db: DbExecutor) {}

  async create(input: { slug: string; name: string; id?: string }): Promise<TenantRecord> {
    try {
      return toRecord(await this.db.tenant.create({ data: input, select: tenantColumns }));
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DataError('conflict', `tenant slug "${input.slug}" is taken`, { cause: error });
      throw error;
    }
  }

  async findBySlug(slug: string): Promise<TenantRecord | null> {
    const row = await this.db.tenant.findUnique({ where: { slug }, select: tenantColumns });
    return row ? toRecord(row) : null;
  }

  /** Replaces the tenant's tool-call limits (keys left out fall back to the deployment's defaults). */
  async setToolLimits(id: string, limits: ToolLimits): Promise<TenantRecord> {
    return toRecord(
      await this.db.tenant.update({ where: { id }, data: { toolLimits: { ...limits } }, select: tenantColumns }),
    );
  }

  /** Deletes the tenant; its tenant-owned rows (members, keys, secrets, invitations…) go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    return (await this.db.tenant.deleteMany({ where: { id } })).count === 1;
  }

  /** Every tenant id, oldest first (tenants are not tenant-scoped rows). */
  async listIds(): Promise<string[]> {
    const rows = await this.db.tenant.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
    return rows.map((row) => row.id);
  }

  count(): Promise<number> {
    return this.db.tenant.count();
  }
}
