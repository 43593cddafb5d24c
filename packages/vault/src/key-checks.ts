import { VaultError } from './errors.js';
import type { KeyEncryptionKeyProvider } from './kek.js';

/** Where the deployment keeps one check value per KEK version (implemented in @gatehouse/db). */
export interface KeyCheckStore {
  find(version: string): Promise<Buffer | null>;
  /** Records `check` for `version` unless one is recorded already: the first process to record wins. */
  insertIfAbsent(version: string, check: Buffer): Promise<void>;
}

/**
 * Makes sure each configured key-encryption key is the key this deployment has known under its version name, before
 * anything is wrapped or re-wrapped with it. Keys are only checked for their format when parsed, so a `v2` generated
 * twice (a `.env` of the admin command's made apart from the fleet's) would otherwise be taken as `v2`: the api or
 * worker holding it fails every unwrap, and `vault rotate-kek` run with it re-wraps every tenant's data key under a key
 * the fleet does not have. A version seen for the first time gets its check value recorded (a constant sealed with it);
 * a version whose recorded value it cannot open is refused, naming it.
 */
export async function verifyKeyring(keyring: KeyEncryptionKeyProvider, store: KeyCheckStore): Promise<void> {
  const mismatched: string[] = [];
  for (const version of keyring.versions()) {
    let check = await store.find(version);
    if (!check) {
      await store.insertIfAbsent(version, await keyring.checkValue(version));
      check = await store.find(version);
    }
    if (!check || !(await keyring.matchesCheck(version, check))) mismatched.push(version);
  }
  if (mismatched.length === 0) return;
  const names = mismatched.map((version) => `"${version}"`).join(', ');
  throw new VaultError(
    'key_mismatch',
    `key-encryption key ${names} is not the key this deployment recorded under that version: every process must have ` +
      'the same key for each version (compare VAULT_KEYS with the running api and worker; never generate a version twice)',
  );
}
