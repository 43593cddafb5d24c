import { randomBytes } from 'node:crypto';
import { SingleFlight } from '@gatehouse/coordination';
import { KEY_BYTES } from './aead.js';
import { blobKeyVersion, openSecret, sealSecret, type SecretContext } from './blob.js';
import { ExpiringCache } from './dek-cache.js';
import { VaultError } from './errors.js';
import type { KeyEncryptionKeyProvider } from './kek.js';
import type { DataKeyRecord, DataKeyStore, SecretStore } from './stores.js';

/** A data key usable only through these two functions; the key bytes stay inside the closure. */
interface KeyHandle {
  readonly version: number;
  seal(context: SecretContext, plaintext: Buffer): Buffer;
  open(context: SecretContext, blob: Buffer): Buffer;
}

function handleFor(dataKey: Buffer, version: number): KeyHandle {
  const key = Buffer.from(dataKey); // private copy
  return {
    version,
    seal: (context, plaintext) => sealSecret(key, version, context, plaintext),
    open: (context, blob) => openSecret(key, context, blob),
  };
}

export interface VaultOptions {
  /** Unwrapped data keys kept in memory (one per tenant and key version). */
  cacheEntries?: number;
  cacheTtlMs?: number;
}

export interface RotationProgress {
  done: number;
  remaining: number;
}

/**
 * Envelope encryption for tenant secrets: per-tenant data keys (AES-256-GCM) wrapped by a key-encryption key.
 * The KEK is consulted only when a data key is created, rotated, or first used after a cache miss.
 */
/** A tenant's active data key, loaded ahead of a transaction (`Vault.prepare`). */
export interface PreparedKey {
  readonly tenantId: string;
  readonly handle: KeyHandle;
}

export class Vault {
  private readonly cache: ExpiringCache<KeyHandle>;
  private readonly loading = new SingleFlight<KeyHandle>();

  constructor(
    private readonly kek: KeyEncryptionKeyProvider,
    private readonly dataKeys: DataKeyStore,
    private readonly secrets: SecretStore,
    options: VaultOptions = {},
  ) {
    this.cache = new ExpiringCache(options.cacheEntries ?? 10_000, options.cacheTtlMs ?? 10 * 60_000);
  }

  /** Encrypts and stores a secret, replacing any previous value for (owner, purpose). */
  async putSecret(context: SecretContext, plaintext: string | Buffer): Promise<void> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const key = await this.activeKey(context.tenantId);
      const stored = await this.secrets.upsert(context.tenantId, {
        owner: context.owner,
        purpose: context.purpose,
        blob: key.seal(context, bytes),
        dekVersion: key.version,
      });
      if (stored) return;
      // Our cached key was demoted by a rotation in another process: forget it and seal again.
      this.cache.deleteWhere((cacheKey) => cacheKey === `${context.tenantId}:active`);
    }
    throw new VaultError('unknown_key_version', 'the tenant data key kept changing while storing a secret');
  }

  /**
   * The tenant's active data key (created if it has none), loaded before a unit of work that seals into its own
   * transaction (`putSecretInto`): loading it there would take a second database connection while the transaction
   * holds one — under load, a pool full of transactions each waiting for one more connection.
   */
  async prepare(tenantId: string): Promise<PreparedKey> {
    return { tenantId, handle: await this.activeKey(tenantId) };
  }

  /**
   * Seals a secret with a `prepare`d key and stores it through `store` — a caller's transaction, so the secret
   * commits, or not, with the rows it belongs to. Nothing here touches the database but `store`. A key that a
   * rotation elsewhere demoted meanwhile stores nothing: `unknown_key_version`, and the unit of work may run again.
   */
  async putSecretInto(
    store: Pick<SecretStore, 'upsert'>,
    key: PreparedKey,
    context: SecretContext,
    plaintext: string | Buffer,
  ): Promise<void> {
    if (key.tenantId !== context.tenantId) throw new VaultError('invalid_keyring', 'a key prepared for another tenant');
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const stored = await store.upsert(context.tenantId, {
      owner: context.owner,
      purpose: context.purpose,
      blob: key.handle.seal(context, bytes),
      dekVersion: key.handle.version,
    });
    if (stored) return;
    this.cache.deleteWhere((cacheKey) => cacheKey === `${context.tenantId}:active`);
    throw new VaultError('unknown_key_version', 'the tenant data key changed while storing a secret; try again');
  }

  /** The decrypted secret, or null when none is stored. Tampering or a moved blob throws `decrypt_failed`. */
  async getSecret(context: SecretContext): Promise<Buffer | null> {
    const stored = await this.secrets.get(context.tenantId, context.owner, context.purpose);
    return stored ? this.decrypt(context, stored.blob) : null;
  }

  deleteSecret(context: SecretContext): Promise<boolean> {
    return this.secrets.delete(context.tenantId, context.owner, context.purpose);
  }

  async encrypt(context: SecretContext, plaintext: Buffer): Promise<Buffer> {
    return (await this.activeKey(context.tenantId)).seal(context, plaintext);
  }

  async decrypt(context: SecretContext, blob: Buffer): Promise<Buffer> {
    return (await this.keyVersion(context.tenantId, blobKeyVersion(blob))).open(context, blob);
  }

  private async activeKey(tenantId: string): Promise<KeyHandle> {
    const cached = this.cache.get(`${tenantId}:active`);
    if (cached) return cached;
    return this.loading.run(`${tenantId}:active`, async () => {
      const record = (await this.dataKeys.active(tenantId)) ?? (await this.createDataKey(tenantId, 1));
      return this.remember(tenantId, record, true);
    });
  }

  private async keyVersion(tenantId: string, version: number): Promise<KeyHandle> {
    const cached = this.cache.get(`${tenantId}:${version}`);
    if (cached) return cached;
    return this.loading.run(`${tenantId}:${version}`, async () => {
      const record = await this.dataKeys.find(tenantId, version);
      if (!record)
        throw new VaultError(
          'unknown_key_version',
          `data key version ${version} of this tenant does not exist (destroyed?)`,
        );
      return this.remember(tenantId, record, false);
    });
  }

  private async remember(tenantId: string, record: DataKeyRecord, asActive: boolean): Promise<KeyHandle> {
    const handle = handleFor(await this.kek.unwrap(record, tenantId), record.version);
    this.cache.set(`${tenantId}:${record.version}`, handle);
    if (asActive) this.cache.set(`${tenantId}:active`, handle);
    return handle;
  }

  private async createDataKey(tenantId: string, version: number): Promise<DataKeyRecord> {
    const wrapped = await this.kek.wrap(randomBytes(KEY_BYTES), tenantId);
    const inserted = await this.dataKeys.insertActive({ tenantId, version, ...wrapped });
    if (inserted) return inserted;
    // Another process created it first: use theirs.
    const winner = await this.dataKeys.active(tenantId);
    if (!winner) throw new VaultError('unknown_key_version', 'data key creation raced and no active key exists');
    return winner;
  }

  // --- key-encryption key rotation (online) -----------------------------------------------------------------

  /**
   * Re-wraps every data key not yet wrapped with the active KEK version, in batches, while traffic continues:
   * data keys themselves do not change, so cached keys and existing ciphertexts stay valid throughout.
   */
  async rotateKek(
    onProgress: (progress: RotationProgress) => void = () => {},
    batchSize = 100,
  ): Promise<RotationProgress> {
    let done = 0;
    for (;;) {
      const batch = await this.dataKeys.listNotWrappedWith(this.kek.activeVersion, batchSize);
      if (batch.length === 0) break;
      for (const record of batch) {
        const dataKey = await this.kek.unwrap(record, record.tenantId);
        if (
          await this.dataKeys.rewrap(
            record.tenantId,
            record.version,
            record.kekVersion,
            await this.kek.wrap(dataKey, record.tenantId),
          )
        )
          done += 1;
      }
      const counts = await this.dataKeys.countByKekVersion();
      const remaining = Object.entries(counts).reduce(
        (sum, [version, n]) => (version === this.kek.activeVersion ? sum : sum + n),
        0,
      );
      onProgress({ done, remaining });
    }
    return { done, remaining: 0 };
  }

  /** Which KEK versions still wrap data keys; a version absent here (and not active) can be removed from config. */
  async kekUsage(): Promise<{
    active: string;
    configured: readonly string[];
    inUse: Record<string, number>;
    retirable: string[];
  }> {
    const inUse = await this.dataKeys.countByKekVersion();
    const configured = this.kek.versions();
    const retirable = configured.filter((version) => version !== this.kek.activeVersion && !inUse[version]);
    return { active: this.kek.activeVersion, configured, inUse, retirable };
  }

  // --- data key rotation ------------------------------------------------------------------------------------

  /**
   * Creates a new data key version for the tenant, re-encrypts its secrets from older versions in batches, then
   * deletes the old data keys. Secrets stay readable throughout (old keys decrypt until the last batch is done).
   */
  async rotateDataKey(
    tenantId: string,
    onProgress: (progress: RotationProgress) => void = () => {},
    batchSize = 200,
  ): Promise<number> {
    const previous = await this.dataKeys.active(tenantId);
    const next = await this.createDataKey(tenantId, (previous?.version ?? 0) + 1);
    this.cache.deleteWhere((key) => key === `${tenantId}:active`);
    const fresh = await this.remember(tenantId, next, true);
    if (!previous) return next.version;
    let done = 0;
    for (let version = previous.version; version >= 1; version -= 1) {
      if (!(await this.dataKeys.find(tenantId, version))) continue;
      for (;;) {
        const batch = await this.secrets.listByDekVersion(tenantId, version, batchSize);
        if (batch.length === 0) break;
        let moved = 0;
        for (const secret of batch) {
          const context = { tenantId, owner: secret.owner, purpose: secret.purpose };
          const plaintext = await this.decrypt(context, secret.blob);
          const blob = fresh.seal(context, plaintext);
          if (await this.secrets.replace(tenantId, { ...secret, blob, dekVersion: fresh.version }, secret.blob)) {
            done += 1;
            moved += 1;
          }
        }
        // Nothing moved: each was rewritten meanwhile (it left this version), or this run's key is no longer the
        // active one — another rotation made a newer key and moves everything itself.
        if (moved === 0 && (await this.dataKeys.active(tenantId))?.version !== fresh.version)
          throw new VaultError(
            'rotation_superseded',
            "another rotation of this tenant's data key started after this one and carries on; nothing was lost",
          );
        onProgress({ done, remaining: await this.secrets.countByDekVersion(tenantId, version) });
      }
      await this.dataKeys.delete(tenantId, version);
      this.cache.deleteWhere((key) => key === `${tenantId}:${version}`);
    }
    return next.version;
  }

  /** Crypto-shredding: once the tenant's data keys are gone, every ciphertext of the tenant is unreadable. */
  async destroyTenantKeys(tenantId: string): Promise<number> {
    const destroyed = await this.dataKeys.destroyAll(tenantId);
    this.cache.deleteWhere((key) => key.startsWith(`${tenantId}:`));
    return destroyed;
  }
}
