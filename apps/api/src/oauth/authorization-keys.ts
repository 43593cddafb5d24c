import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { PlatformKeyRepository, type Database } from '@gatehouse/db';
import { loadPlatformSecret, VaultError, type KeyEncryptionKeyProvider } from '@gatehouse/vault';
import type { JWK } from 'oidc-provider';

/** What the authorization server signs with (ID tokens) and authenticates its cookies with. */
export interface AuthorizationKeys {
  signingKeys: JWK[];
  cookieKeys: string[];
}

const ID = 'authorization-server';

function generate(): AuthorizationKeys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return {
    signingKeys: [{ ...jwk, kid: randomBytes(9).toString('base64url'), alg: 'ES256', use: 'sig' }],
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
}

/**
 * Loads the authorization server's keys, creating them on the first boot of the first instance. They are stored
 * in PostgreSQL wrapped by the vault's key-encryption key (so every instance shares them and a database dump alone
 * does not reveal them), and re-wrapped with the active KEK version after a KEK rotation (`loadPlatformSecret`).
 */
export async function loadAuthorizationKeys(
  db: Database,
  keyring: KeyEncryptionKeyProvider,
): Promise<AuthorizationKeys> {
  const store = new PlatformKeyRepository(db);
  try {
    const { secret } = await loadPlatformSecret(keyring, store, ID, () => Buffer.from(JSON.stringify(generate())));
    return JSON.parse(secret.toString('utf8')) as AuthorizationKeys;
  } catch (cause) {
    if (!(cause instanceof VaultError)) throw cause;
    const version = (await store.find(ID))?.kekVersion ?? '?';
    throw new Error(
      `The authorization server's keys are wrapped with vault key "${version}", which VAULT_KEYS cannot ` +
        'open. Put that key version back into VAULT_KEYS; if it is lost for good, delete the row ' +
        `(DELETE FROM oauth_models WHERE kind = 'PlatformKey' AND id = '${ID}') and restart: new keys are made and people sign in again.`,
      { cause },
    );
  }
}
