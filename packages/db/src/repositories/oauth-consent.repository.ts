import type { DbExecutor } from '../client.js';

export interface OAuthConsentRecord {
  id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  clientName: string | null;
  resource: string;
  scopes: string[];
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: true,
  tenantId: true,
  userId: true,
  clientId: true,
  clientName: true,
  resource: true,
  scopes: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Remembered consents. Runs inside a tenant scope (withTenant); row-level security keeps it to that tenant. */
export class OAuthConsentRepository {
  constructor(private readonly db: DbExecutor) {}

  find(tenantId: string, userId: string, clientId: string, resource: string): Promise<OAuthConsentRecord | null> {
    return this.db.oAuthConsent.findFirst({ where: { tenantId, userId, clientId, resource }, select: columns });
  }

  /** Records consent to `scopes`, adding to what the person allowed before. */
  async remember(input: {
    tenantId: string;
    userId: string;
    clientId: string;
    clientName: string | null;
    resource: string;
    scopes: string[];
  }): Promise<OAuthConsentRecord> {
    const existing = await this.find(input.tenantId, input.userId, input.clientId, input.resource);
    if (existing) {
      return this.db.oAuthConsent.update({
        where: { id: existing.id },
        data: { clientName: input.clientName, scopes: [...new Set([...existing.scopes, ...input.scopes])].sort() },
        select: columns,
      });
    }
    return this.db.oAuthConsent.create({
      data: { ...input, scopes: [...new Set(input.scopes)].sort() },
      select: columns,
    });
  }

  listForUser(tenantId: string, userId: string): Promise<OAuthConsentRecord[]> {
    return this.db.oAuthConsent.findMany({
      where: { tenantId, userId },
      select: columns,
      orderBy: { createdAt: 'asc' },
    });
  }

  async delete(tenantId: string, userId: string, id: string): Promise<OAuthConsentRecord | null> {
    const consent = await this.db.oAuthConsent.findFirst({ where: { tenantId, userId, id }, select: columns });
    if (!consent) return null;
    await this.db.oAuthConsent.deleteMany({ where: { tenantId, userId, id } });
    return consent;
  }
}
