import type { DbExecutor } from '../client.js';
import { OAuthModelRepository } from './oauth-model.repository.js';

/** Rows of `oauth_models` (platform-wide, beside the authorization server's own keys) holding the vault's check values. */
const KIND = 'VaultKeyCheck';

/**
 * One check value per key-encryption key version (the vault's KeyCheckStore, implemented structurally: this package
 * does not depend on the vault). Never expires; the first process to record a version's value wins.
 */
export class KeyCheckRepository {
  private readonly rows: OAuthModelRepository;

  constructor(db: DbExecutor) {
    this.rows = new OAuthModelRepository(db);
  }

  async find(version: string): Promise<Buffer | null> {
    const row = await this.rows.find(KIND, version);
    const check = row?.payload['check'];
    return typeof check === 'string' ? Buffer.from(check, 'base64') : null;
  }

  insertIfAbsent(version: string, check: Buffer): Promise<void> {
    return this.rows.insertIfAbsent(KIND, version, { check: check.toString('base64') });
  }
}
