import type { DbExecutor } from '../client.js';
import { OAuthModelRepository } from './oauth-model.repository.js';

/** Rows of `oauth_models` holding platform-wide secrets, wrapped by the vault's key-encryption key. */
const KIND = 'PlatformKey';

interface StoredKey {
  kekVersion: string;
  /** base64 */
  wrapped: string;
}

/**
 * The vault's PlatformSecretStore (implemented structurally: this package does not depend on the vault): one row per
 * secret, kind `PlatformKey`, id the secret's name (`authorization-server`, `audit-digest`). Never expires.
 */
export class PlatformKeyRepository {
  private readonly rows: OAuthModelRepository;

  constructor(db: DbExecutor) {
    this.rows = new OAuthModelRepository(db);
  }

  async find(id: string): Promise<{ kekVersion: string; wrapped: Buffer } | null> {
    const payload = (await this.rows.find(KIND, id))?.payload as Partial<StoredKey> | undefined;
    if (typeof payload?.kekVersion !== 'string' || typeof payload.wrapped !== 'string') return null;
    return { kekVersion: payload.kekVersion, wrapped: Buffer.from(payload.wrapped, 'base64') };
  }

  insertIfAbsent(id: string, key: { kekVersion: string; wrapped: Buffer }): Promise<void> {
    return this.rows.insertIfAbsent(KIND, id, { kekVersion: key.kekVersion, wrapped: key.wrapped.toString('base64') });
  }

  replace(id: string, key: { kekVersion: string; wrapped: Buffer }): Promise<void> {
    return this.rows.upsert(
      KIND,
      id,
      { kekVersion: key.kekVersion, wrapped: key.wrapped.toString('base64') },
      null,
      {},
    );
  }
}
