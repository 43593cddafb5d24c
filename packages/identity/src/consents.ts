import type { AuditLog } from '@gatehouse/audit';
import {
  OAuthConsentRepository,
  OAuthModelRepository,
  withScope,
  type Database,
  type DbExecutor,
  type OAuthConsentRecord,
} from '@gatehouse/db';

/** A person in one tenant: whose consents these are. */
export interface ConsentOwner {
  tenantId: string;
  userId: string;
}

export interface ConsentRequest {
  clientId: string;
  clientName: string | null;
  /** The MCP server URL the tokens are for. */
  resource: string;
  scopes: string[];
}

/**
 * Consent an MCP client received from a person: remembered per (person, client, server) with the scopes allowed,
 * so the consent page is shown again only when a client asks for more. Revoking it also revokes every grant —
 * and so every refresh and access token — the person gave that client.
 */
export class ConsentService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog<DbExecutor>,
  ) {}

  private scoped<T>(owner: ConsentOwner, work: (tx: DbExecutor) => Promise<T>): Promise<T> {
    return withScope(this.db, { tenantId: owner.tenantId, userId: owner.userId }, work);
  }

  async covers(owner: ConsentOwner, request: Omit<ConsentRequest, 'clientName'>): Promise<boolean> {
    const consent = await this.scoped(owner, (tx) =>
      new OAuthConsentRepository(tx).find(owner.tenantId, owner.userId, request.clientId, request.resource),
    );
    return consent !== null && request.scopes.every((scope) => consent.scopes.includes(scope));
  }

  remember(owner: ConsentOwner, request: ConsentRequest, requestId?: string): Promise<OAuthConsentRecord> {
    return this.scoped(owner, async (tx) => {
      const consent = await new OAuthConsentRepository(tx).remember({ ...owner, ...request });
      await this.audit.recordInTransaction(tx, [
        {
          tenantId: owner.tenantId,
          actor: { type: 'user', id: owner.userId },
          action: 'oauth.consent_granted',
          target: { type: 'oauth_client', id: request.clientId.slice(0, 200) },
          outcome: 'success',
          requestId,
          metadata: { resource: request.resource, scopes: request.scopes, clientName: request.clientName },
        },
      ]);
      return consent;
    });
  }

  list(owner: ConsentOwner): Promise<OAuthConsentRecord[]> {
    return this.scoped(owner, (tx) => new OAuthConsentRepository(tx).listForUser(owner.tenantId, owner.userId));
  }

  /** Forgets the consent and revokes what it authorized at that server; false when there is no such consent. */
  async revoke(owner: ConsentOwner, id: string, requestId?: string): Promise<boolean> {
    return this.scoped(owner, async (tx) => {
      const consent = await new OAuthConsentRepository(tx).delete(owner.tenantId, owner.userId, id);
      if (!consent) return false;
      await new OAuthModelRepository(tx).revokeConsent(owner.userId, consent.clientId, consent.resource);
      await this.audit.recordInTransaction(tx, [
        {
          tenantId: owner.tenantId,
          actor: { type: 'user', id: owner.userId },
          action: 'oauth.consent_revoked',
          target: { type: 'oauth_client', id: consent.clientId.slice(0, 200) },
          outcome: 'success',
          requestId,
          metadata: { resource: consent.resource, scopes: consent.scopes },
        },
      ]);
      return true;
    });
  }
}
