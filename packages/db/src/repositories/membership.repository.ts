import { DataError, isUniqueViolation } from '../errors.js';
import type { Database, DbExecutor } from '../client.js';
import { noteAuthChange } from '../auth-changes.js';
import { sqlOf } from '../sql.js';

export type MembershipRole = 'owner' | 'admin' | 'member';

export interface MembershipRecord {
  tenantId: string;
  userId: string;
  role: MembershipRole;
}

export interface MemberRecord {
  userId: string;
  email: string;
  displayName: string;
  role: MembershipRole;
  joinedAt: Date;
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
      const added = await this.db.membership.create({
        data: input,
        select: { tenantId: true, userId: true, role: true },
      });
      noteAuthChange();
      return added;
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

  async listMembers(tenantId: string): Promise<MemberRecord[]> {
    const rows = await this.db.membership.findMany({
      where: { tenantId },
      select: { role: true, createdAt: true, user: { select: { id: true, email: true, displayName: true } } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((row) => ({
      userId: row.user.id,
      email: row.user.email,
      displayName: row.user.displayName,
      role: row.role,
      joinedAt: row.createdAt,
    }));
  }

  async updateRole(tenantId: string, userId: string, role: MembershipRole): Promise<boolean> {
    const { count } = await this.db.membership.updateMany({ where: { tenantId, userId }, data: { role } });
    noteAuthChange();
    return count === 1;
  }

  async remove(tenantId: string, userId: string): Promise<boolean> {
    const { count } = await this.db.membership.deleteMany({ where: { tenantId, userId } });
    noteAuthChange();
    return count === 1;
  }

  /** Locks the tenant's owner rows for the rest of the transaction: owner changes serialise on them. */
  /** A member's role now, share-locked for the rest of the transaction (null when not a member). */
  async lockRole(tenantId: string, userId: string): Promise<MembershipRole | null> {
    const rows = await this.db.$queryRaw<{ role: MembershipRole }[]>`
      SELECT role FROM memberships WHERE tenant_id = ${tenantId}::uuid AND user_id = ${userId}::uuid FOR SHARE`;
    return rows[0]?.role ?? null;
  }

  async lockOwners(tenantId: string): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ user_id: string }[]>`
      SELECT user_id FROM memberships WHERE tenant_id = ${tenantId}::uuid AND role = 'owner' ORDER BY user_id FOR UPDATE`;
    return rows.map((row) => row.user_id);
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The person's role in the tenant, or null: the membership check of every MCP request and tool call, in one round
 * trip (a scoped function under row-level security; see sql.ts).
 */
export async function membershipRole(db: Database, tenantId: string, userId: string): Promise<MembershipRole | null> {
  if (!UUID.test(tenantId) || !UUID.test(userId)) return null;
  const [row] = await sqlOf(db).query<{ role: MembershipRole | null }>(
    'SELECT gatehouse_member_role($1::uuid, $2::uuid) AS role',
    [tenantId, userId],
  );
  return row?.role ?? null;
}
