import type { AuditEventInput, AuditLog } from '@gatehouse/audit';
import {
  ProviderAppRepository,
  SecretRepository,
  withTenant,
  type Database,
  type DbExecutor,
  type ProviderAppRecord,
} from '@gatehouse/db';
import { ProviderError, resolveProviderUrls, SCOPE_TOKEN } from '@gatehouse/providers';
import { recordAction, requireScope, TenancyError, type Actor } from '@gatehouse/tenancy';
import { VaultError, type Vault } from '@gatehouse/vault';
import { ConnectionsError, oauth2Provider } from './connections.errors.js';

export interface ProviderAppInput {
  clientId: string;
  /** Required when the app is created; omitted on a change to keep the stored secret. */
  clientSecret?: string | undefined;
  allowedScopes: string[];
  /** Values for the provider's URL placeholders (e.g. `tenant` for Microsoft, `baseUrl` for self-hosted GitLab). */
  settings: Record<string, string>;
}

/** Where the vault keeps an app's client secret. */
export function clientSecretContext(tenantId: string, appId: string) {
  return { tenantId, owner: `provider_app:${appId}`, purpose: 'oauth.client_secret' } as const;
}

/**
 * A tenant's OAuth apps at providers: the client id, the allowed scopes and placeholder settings in PostgreSQL, the
 * client secret sealed by the vault. The secret is write-only: nothing here ever returns it.
 */
export class ProviderAppService {
  constructor(
    private readonly db: Database,
    private readonly vault: Vault,
    private readonly audit: AuditLog<DbExecutor>,
  ) {}

  private record(tx: DbExecutor, actor: Actor, event: Omit<AuditEventInput, 'tenantId' | 'actor'>, requestId?: string) {
    return recordAction(this.audit, tx, actor, event, requestId);
  }

  /** Creates or changes the tenant's app for `providerId`; returns it and whether it was created. */
  async save(
    actor: Actor,
    providerId: string,
    input: ProviderAppInput,
    requestId?: string,
  ): Promise<{ app: ProviderAppRecord; created: boolean }> {
    requireScope(actor, 'providers:write');
    const provider = oauth2Provider(providerId);
    const badScopes = input.allowedScopes.filter((scope) => !SCOPE_TOKEN.test(scope));
    if (badScopes.length > 0)
      throw new ConnectionsError('invalid_scopes', `Not valid scopes: ${badScopes.join(', ')}.`);
    try {
      resolveProviderUrls(provider, input.settings);
    } catch (error) {
      if (error instanceof ProviderError) throw new ConnectionsError('invalid_settings', error.message);
      throw error;
    }
    const allowedScopes = [...new Set(input.allowedScopes)];
    // The row, its sealed client secret and the record commit together: a vault failure changes nothing (no new
    // client id beside the old secret, no record saying the secret changed), and concurrent saves cannot pair one's
    // client id with the other's secret (the row lock orders them).
    try {
      const sealing = input.clientSecret ? await this.vault.prepare(actor.tenantId) : undefined;
      return await withTenant(this.db, actor.tenantId, async (tx) => {
        const result = await new ProviderAppRepository(tx).save({
          tenantId: actor.tenantId,
          providerId,
          clientId: input.clientId,
          allowedScopes,
          settings: input.settings,
        });
        if (result.created && !input.clientSecret)
          throw new ConnectionsError('client_secret_required', 'A new provider app needs its client secret.');
        if (input.clientSecret && sealing)
          await this.vault.putSecretInto(
            SecretRepository.inTransaction(tx),
            sealing,
            clientSecretContext(actor.tenantId, result.app.id),
            input.clientSecret,
          );
        await this.record(
          tx,
          actor,
          {
            action: result.created ? 'provider_app.created' : 'provider_app.updated',
            target: { type: 'provider_app', id: result.app.id },
            outcome: 'success',
            // Never the secret: only whether it changed.
            metadata: {
              providerId,
              clientId: input.clientId,
              allowedScopes,
              secretChanged: Boolean(input.clientSecret),
            },
          },
          requestId,
        );
        return result;
      });
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      throw new ConnectionsError(
        'client_secret_unstorable',
        `Gatehouse could not store the client secret (${error.code}), so nothing changed. Try again; if it keeps happening, an operator should check the vault keys (VAULT_KEYS).`,
      );
    }
  }

  /**
   * Idempotent save for seeding (the demo tenant's demo-provider app): writes only when the stored app differs from
   * `input` (client id, scopes, settings or secret), so repeated starts add no audit records.
   */
  async ensure(actor: Actor, providerId: string, input: ProviderAppInput & { clientSecret: string }): Promise<boolean> {
    requireScope(actor, 'providers:write');
    const existing = await withTenant(this.db, actor.tenantId, (tx) =>
      new ProviderAppRepository(tx).find(actor.tenantId, providerId),
    );
    if (existing) {
      const secret = await this.vault.getSecret(clientSecretContext(actor.tenantId, existing.id));
      const same =
        existing.clientId === input.clientId &&
        JSON.stringify([...existing.allowedScopes].sort()) ===
          JSON.stringify([...new Set(input.allowedScopes)].sort()) &&
        JSON.stringify(Object.entries(existing.settings).sort()) ===
          JSON.stringify(Object.entries(input.settings).sort()) &&
        secret?.toString('utf8') === input.clientSecret;
      if (same) return false;
    }
    await this.save(actor, providerId, input);
    return true;
  }

  list(actor: Actor): Promise<ProviderAppRecord[]> {
    requireScope(actor, 'providers:read');
    return withTenant(this.db, actor.tenantId, (tx) => new ProviderAppRepository(tx).list(actor.tenantId));
  }

  /**
   * Deletes the app and, with it, every connection made with it. `before` runs first, once the actor may (revoking
   * those connections at the provider: `ConnectionService.revokeAllAtProvider`); what it answers goes in the record.
   */
  async delete(
    actor: Actor,
    providerId: string,
    requestId?: string,
    before?: () => Promise<Record<string, number>>,
  ): Promise<void> {
    requireScope(actor, 'providers:write');
    const revocation = (await before?.()) ?? {};
    // A trigger deletes the sealed client secret, and the cascade every connection made with the app (and their
    // sealed tokens), in this same transaction.
    await withTenant(this.db, actor.tenantId, async (tx) => {
      const deleted = await new ProviderAppRepository(tx).delete(actor.tenantId, providerId);
      if (!deleted) throw new TenancyError('not_found', 'No such provider app.');
      await this.record(
        tx,
        actor,
        {
          action: 'provider_app.deleted',
          target: { type: 'provider_app', id: deleted.id },
          outcome: 'success',
          metadata: { providerId, ...revocation },
        },
        requestId,
      );
    });
  }
}
