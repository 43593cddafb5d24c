import { OAuthModelRepository, type Database } from '@gatehouse/db';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider's storage in PostgreSQL, so that any api instance can continue a flow another one started and
 * tokens survive restarts. One adapter instance per model name (Session, Interaction, AuthorizationCode, …).
 */
export class PostgresAdapter implements Adapter {
  private readonly repository: OAuthModelRepository;

  constructor(
    private readonly kind: string,
    db: Database,
  ) {
    this.repository = new OAuthModelRepository(db);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const clientId = payload.clientId ?? (this.kind === 'Client' ? payload.client_id : undefined);
    await this.repository.upsert(this.kind, id, payload, expiresIn ? new Date(Date.now() + expiresIn * 1000) : null, {
      grantId: payload.grantId,
      uid: payload.uid,
      userCode: payload.userCode,
      accountId: payload.accountId,
      clientId: typeof clientId === 'string' ? clientId : undefined,
    });
  }

  private static toPayload(row: Awaited<ReturnType<OAuthModelRepository['find']>>): AdapterPayload | undefined {
    if (!row) return undefined;
    const payload = row.payload as AdapterPayload;
    // The library only asks whether `consumed` is set; the time is kept in its own column.
    return row.consumed ? { ...payload, consumed: true } : payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return PostgresAdapter.toPayload(await this.repository.find(this.kind, id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return PostgresAdapter.toPayload(await this.repository.findByUid(this.kind, uid));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return PostgresAdapter.toPayload(await this.repository.findByUserCode(this.kind, userCode));
  }

  consume(id: string): Promise<void> {
    return this.repository.consume(this.kind, id);
  }

  destroy(id: string): Promise<void> {
    return this.repository.destroy(this.kind, id);
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.repository.revokeByGrantId(grantId);
  }
}
