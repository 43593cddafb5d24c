import { VaultError } from './errors.js';
import { LocalKeyring, type KeyEncryptionKeyProvider } from './kek.js';
import { verifyKeyring, type KeyCheckStore } from './key-checks.js';

/**
 * Builds the configured keyring at process start, or prints one line and exits: encryption is never optional,
 * so a process without a usable master key does not start.
 */
export function loadKeyringOrExit(app: string, keys: string, activeVersion: string | undefined): LocalKeyring {
  try {
    return LocalKeyring.parse(keys, activeVersion);
  } catch (error) {
    if (error instanceof VaultError) {
      process.stderr.write(`${app}: invalid configuration: VAULT_KEYS/VAULT_ACTIVE_KEY: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** `verifyKeyring` at process start: a key that is not the deployment's prints one line and exits (78). */
export async function verifyKeyringOrExit(
  app: string,
  keyring: KeyEncryptionKeyProvider,
  store: KeyCheckStore,
): Promise<void> {
  try {
    await verifyKeyring(keyring, store);
  } catch (error) {
    if (error instanceof VaultError && error.code === 'key_mismatch') {
      process.stderr.write(`${app}: invalid configuration: VAULT_KEYS: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
