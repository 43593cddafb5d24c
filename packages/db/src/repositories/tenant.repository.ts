import { DataError, isUniqueViolation } from '../errors.js';
import type { DbExecutor } from '../client.js';

export interface TenantRecord {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
}

const tenantColumns = { id: true, slug: true, name: true, createdAt: true } as const;

export class TenantRepository {
  constructor(private readonly db: DbExecutor) {}

  async create(input: { slug: string; name: string; id?: string }): Promise<TenantRecord> {
    try {
      return await this.db.tenant.create({ data: input, select: tenantColumns });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DataError('conflict', `tenant slug "${input.slug}" is taken`, { cause: error });
      throw error;
    }
  }

  findBySlug(slug: string): Promise<TenantRecord | null> {
    return this.db.tenant.findUnique({ where: { slug }, select: tenantColumns });
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
