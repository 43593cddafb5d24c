import { KEY_BYTES, open, packSealed, seal, unpackSealed } from './aead.js';
import { VaultError } from './errors.js';

/** A data key wrapped by a key-encryption key, and which KEK version wrapped it. */
export interface WrappedKey {
  kekVersion: string;
  wrapped: Buffer;
}

/**
 * Where key-encryption keys live. The default keeps them in memory from configuration; a KMS or Vault Transit
 * adapter implements the same four members (wrap/unwrap become remote calls, which the DEK cache keeps rare).
 */
export interface KeyEncryptionKeyProvider {
  /** Version new data keys are wrapped with. */
  readonly activeVersion: string;
  /** Every version this provider can still unwrap. */
  versions(): readonly string[];
  wrap(dataKey: Buffer, tenantId: string): Promise<WrappedKey>;
  unwrap(key: WrappedKey, tenantId: string): Promise<Buffer>;
  /** A check value of `version`: a constant sealed by that key, which only that key opens (`verifyKeyring`). */
  checkValue(version: string): Promise<Buffer>;
  /** Whether `check` was made by this provider's key of `version` (false: another key under that name). */
  matchesCheck(version: string, check: Buffer): Promise<boolean>;
}

const VERSION_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

function wrapContext(tenantId: string, kekVersion: string): Buffer {
  return Buffer.from(`gatehouse.dek.v1|${tenantId}|${kekVersion}`, 'utf8');
}

const CHECK_PLAINTEXT = Buffer.from('gatehouse.kek-check.v1', 'utf8');

function checkContext(kekVersion: string): Buffer {
  return Buffer.from(`gatehouse.kek-check.v1|${kekVersion}`, 'utf8');
}

/** KEKs held in process memory, parsed from configuration (`VAULT_KEYS`) or a key file. */
export class LocalKeyring implements KeyEncryptionKeyProvider {
  readonly activeVersion: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: ReadonlyMap<string, Buffer>, activeVersion?: string) {
    if (keys.size === 0) throw new VaultError('invalid_keyring', 'no key-encryption key configured');
    for (const [version, key] of keys) {
      if (!VERSION_ID.test(version))
        throw new VaultError('invalid_keyring', `key version "${version}" must match ${VERSION_ID}`);
      if (key.length !== KEY_BYTES)
        throw new VaultError('invalid_keyring', `key "${version}" must be 32 bytes (base64 of 32 random bytes)`);
    }
    const active = activeVersion ?? [...keys.keys()].at(-1)!;
    if (!keys.has(active))
      throw new VaultError('invalid_keyring', `active key version "${active}" is not in the keyring`);
    this.keys = keys;
    this.activeVersion = active;
  }

  /** Parses `v1:BASE64,v2:BASE64`; the active version defaults to the last one listed. */
  static parse(spec: string, activeVersion?: string): LocalKeyring {
    const keys = new Map<string, Buffer>();
    for (const part of spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const colon = part.indexOf(':');
      if (colon <= 0)
        throw new VaultError('invalid_keyring', 'each key must look like "<version>:<base64 of 32 bytes>"');
      const version = part.slice(0, colon);
      if (keys.has(version)) throw new VaultError('invalid_keyring', `key version "${version}" is listed twice`);
      keys.set(version, Buffer.from(part.slice(colon + 1), 'base64'));
    }
    return new LocalKeyring(keys, activeVersion);
  }

  versions(): readonly string[] {
    return [...this.keys.keys()];
  }

  async wrap(dataKey: Buffer, tenantId: string): Promise<WrappedKey> {
    const kek = this.keys.get(this.activeVersion)!;
    return {
      kekVersion: this.activeVersion,
      wrapped: packSealed(seal(kek, dataKey, wrapContext(tenantId, this.activeVersion))),
    };
  }

  async unwrap(key: WrappedKey, tenantId: string): Promise<Buffer> {
    return open(this.key(key.kekVersion), unpackSealed(key.wrapped), wrapContext(tenantId, key.kekVersion));
  }

  async checkValue(version: string): Promise<Buffer> {
    return packSealed(seal(this.key(version), CHECK_PLAINTEXT, checkContext(version)));
  }

  async matchesCheck(version: string, check: Buffer): Promise<boolean> {
    const kek = this.key(version);
    try {
      return open(kek, unpackSealed(check), checkContext(version)).equals(CHECK_PLAINTEXT);
    } catch {
      return false;
    }
  }

  private key(version: string): Buffer {
    const kek = this.keys.get(version);
    if (!kek)
      throw new VaultError('unknown_key_version', `key-encryption key "${version}" is not configured (retired?)`);
    return kek;
  }
}
