import type { DbExecutor } from '../client.js';
import type { MembershipRole } from './membership.repository.js';

export interface InvitationRecord {
  id: string;
  tenantId: string;
  email: string;
  role: MembershipRole;
  invitedBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const columns = {
  id: true,
  tenantId: true,
  email: true,
  role: true,
  invitedBy: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  createdAt: true,
} as const;

/** Runs inside a tenant scope (withTenant); row-level security keeps it to that tenant. */
export class InvitationRepository {
  constructor(private readonly db: DbExecutor) {}

  create(input: {
    tenantId: string;
    email: string;
    role: MembershipRole;
    tokenHash: Buffer;
    invitedBy: string | null;
    expiresAt: Date;
  }) {
    return this.db.invitation.create({
      data: { ...input, tokenHash: new Uint8Array(input.tokenHash) },
      select: columns,
    });
  }

  listPending(tenantId: string, now: Date): Promise<InvitationRecord[]> {
    return this.db.invitation.findMany({
      where: { tenantId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      select: columns,
      orderBy: { createdAt: 'desc' },
    });
  }

  findByTokenHash(tenantId: string, tokenHash: Buffer): Promise<InvitationRecord | null> {
    return this.db.invitation.findUnique({
      where: { tenantId_tokenHash: { tenantId, tokenHash: new Uint8Array(tokenHash) } },
      select: columns,
    });
  }

  /** Single use: succeeds only for a pending, unexpired invitation (and only once under concurrency). */
  async accept(tenantId: string, id: string, userId: string, now: Date): Promise<boolean> {
    const { count } = await this.db.invitation.updateMany({
      where: { tenantId, id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now, acceptedBy: userId },
    });
    return count === 1;
  }

  async revoke(tenantId: string, id: string, now: Date): Promise<boolean> {
    const { count } = await this.db.invitation.updateMany({
      where: { tenantId, id, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    return count === 1;
  }
}
