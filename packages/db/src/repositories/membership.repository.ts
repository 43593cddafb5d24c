import { DataError, isUniqueViolation } from '../errors.js';
import type { DbExecutor } from '../client.js';

export type MembershipRole = 'owner' | 'admin' | 'member';

export interface MembershipRecord {
  tenantId: string;
  userId: string;
  role: MembershipRole;
}

export interface UserTenant {
  tenantId: string;
  slug: string;
  name: string;
  role: MembershipRole;
}

export class MembershipRepository {
  constructor(private readonly db: DbExecutor) {}

  async add(input: MembershipRecord): Promise<MembershipRecord> {
    try {
      return await this.db.membership.create({
        data: input,
        select: { tenantId: true, userId: true, role: true },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DataError('conflict', 'the user is already a member', { cause: error });
      throw error;
    }
  }

  find(tenantId: string, userId: string): Promise<MembershipRecord | null> {
    return this.db.membership.findUnique({
      where: { tenantId_userId: { tenantId, userId } },
      select: { tenantId: true, userId: true, role: true },
    });
  }

  async tenantsOf(userId: string): Promise<UserTenant[]> {
    const rows = await this.db.membership.findMany({
      where: { userId },
      select: { role: true, tenant: { select: { id: true, slug: true, name: true } } },
      orderBy: { tenant: { slug: 'asc' } },
    });
    return rows.map((row) => ({
      tenantId: row.tenant.id,
      slug: row.tenant.slug,
      name: row.tenant.name,
      role: row.role,
    }));
  }
}
