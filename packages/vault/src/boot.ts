import { VaultError } from './errors.js';
import { LocalKeyring } from './kek.js';

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
