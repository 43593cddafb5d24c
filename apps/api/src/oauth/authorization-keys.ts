import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { OAuthModelRepository, type Database } from '@gatehouse/db';
import type { KeyEncryptionKeyProvider } from '@gatehouse/vault';
import type { JWK } from 'oidc-provider';

/** What the authorization server signs with (ID tokens) and authenticates its cookies with. */
export interface AuthorizationKeys {
  signingKeys: JWK[];
  cookieKeys: string[];
}

const KIND = 'PlatformKey';
const ID = 'authorization-server';
// Wrapped like a tenant's data key, under a context no tenant id can take.
const WRAP_CONTEXT = 'platform:authorization-server';

interface StoredKeys {
  kekVersion: string;
  wrapped: string;
}

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
 * does not reveal them), and re-wrapped with the active KEK version after a KEK rotation.
 */
export async function loadAuthorizationKeys(
  db: Database,
  keyring: KeyEncryptionKeyProvider,
): Promise<AuthorizationKeys> {
  const repository = new OAuthModelRepository(db);
  let row = await repository.find(KIND, ID);
  if (!row) {
    const wrapped = await keyring.wrap(Buffer.from(JSON.stringify(generate())), WRAP_CONTEXT);
    const stored: StoredKeys = { kekVersion: wrapped.kekVersion, wrapped: wrapped.wrapped.toString('base64') };
    // Two instances booting together: the first insert wins and both read it back.
    await repository.insertIfAbsent(KIND, ID, { ...stored });
    row = await repository.find(KIND, ID);
    if (!row) throw new Error('authorization server keys could not be stored');
  }
  const stored = row.payload as unknown as StoredKeys;
  let plain: Buffer;
  try {
    plain = await keyring.unwrap(
      { kekVersion: stored.kekVersion, wrapped: Buffer.from(stored.wrapped, 'base64') },
      WRAP_CONTEXT,
    );
  } catch (cause) {
    throw new Error(
      `The authorization server's keys are wrapped with vault key "${stored.kekVersion}", which VAULT_KEYS cannot ` +
        'open. Put that key version back into VAULT_KEYS; if it is lost for good, delete the row ' +
        `(DELETE FROM oauth_models WHERE kind = '${KIND}') and restart: new keys are made and people sign in again.`,
      { cause },
    );
  }
  if (stored.kekVersion !== keyring.activeVersion) {
    const rewrapped = await keyring.wrap(plain, WRAP_CONTEXT);
    await repository.upsert(
      KIND,
      ID,
      { kekVersion: rewrapped.kekVersion, wrapped: rewrapped.wrapped.toString('base64') },
      null,
      {},
    );
  }
  return JSON.parse(plain.toString('utf8')) as AuthorizationKeys;
}
