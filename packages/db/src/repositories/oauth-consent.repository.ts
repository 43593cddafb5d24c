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

  /**
   * Records consent to `scopes`, adding to what the person allowed before — in one statement: two approvals at once
   * (a double-clicked Allow) neither collide on the unique key nor lose each other's scopes.
   */
  async remember(input: {
    tenantId: string;
    userId: string;
    clientId: string;
    clientName: string | null;
    resource: string;
    scopes: string[];
  }): Promise<OAuthConsentRecord> {
    const scopes = [...new Set(input.scopes)].sort();
    const [row] = await this.db.$queryRaw<OAuthConsentRecord[]>`
      INSERT INTO oauth_consents (tenant_id, user_id, client_id, client_name, resource, scopes)
      VALUES (${input.tenantId}::uuid, ${input.userId}::uuid, ${input.clientId}, ${input.clientName}, ${input.resource},
              ${scopes}::text[])
      ON CONFLICT (tenant_id, user_id, client_id, resource) DO UPDATE SET
        client_name = EXCLUDED.client_name,
        scopes = ARRAY(SELECT DISTINCT scope COLLATE "C" FROM unnest(oauth_consents.scopes || EXCLUDED.scopes) AS scope
                       ORDER BY 1),
        updated_at = CURRENT_TIMESTAMP
      RETURNING id, tenant_id AS "tenantId", user_id AS "userId", client_id AS "clientId", client_name AS "clientName",
                resource, scopes, created_at AS "createdAt", updated_at AS "updatedAt"`;
    return row!;
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
