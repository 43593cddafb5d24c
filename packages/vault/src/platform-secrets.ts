import { VaultError } from './errors.js';
import type { KeyEncryptionKeyProvider, WrappedKey } from './kek.js';

/** Where platform-wide secrets (no tenant) are kept, wrapped (implemented in @gatehouse/db). */
export interface PlatformSecretStore {
  find(id: string): Promise<WrappedKey | null>;
  /** Stores `key` unless a secret `id` exists: the first process to store wins, and every process reads it back. */
  insertIfAbsent(id: string, key: WrappedKey): Promise<void>;
  replace(id: string, key: WrappedKey): Promise<void>;
}

/**
 * A secret every process of the deployment shares — the authorization server's keys, the audit's digest key —
 * created by the first api that asks (`generate`), stored wrapped by the key-encryption key under a context no
 * tenant id can take (`platform:<id>`), so a database dump alone does not reveal it, and re-wrapped with the active
 * KEK version when found under an older one. An unwrap that fails throws the vault's error (`decrypt_failed`,
 * `unknown_key_version`): the caller says what losing it means.
 */
export async function loadPlatformSecret(
  keyring: KeyEncryptionKeyProvider,
  store: PlatformSecretStore,
  id: string,
  /** Makes the secret when none is stored; without it (an operator's command), none stored is an error. */
  generate?: () => Buffer,
): Promise<{ secret: Buffer; kekVersion: string }> {
  const context = `platform:${id}`;
  let stored = await store.find(id);
  if (!stored && generate) {
    await store.insertIfAbsent(id, await keyring.wrap(generate(), context));
    stored = await store.find(id);
  }
  if (!stored) throw new VaultError('unknown_key_version', `no platform secret "${id}" is stored`);
  const secret = await keyring.unwrap(stored, context);
  // Re-wrapped only by the processes that make it (api): an operator's command with a newer active version than the
  // fleet's must not leave it under a key the fleet does not have yet.
  if (generate && stored.kekVersion !== keyring.activeVersion)
    await store.replace(id, await keyring.wrap(secret, context));
  return { secret, kekVersion: stored.kekVersion };
}
