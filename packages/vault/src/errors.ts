/** Why the vault refused. Callers map these to their transport; messages never contain key material. */
export type VaultErrorCode =
  | 'decrypt_failed' // wrong key, tampered blob, or the blob was moved to another tenant/owner/purpose
  | 'malformed_blob'
  | 'unknown_key_version' // the KEK or DEK version is retired, destroyed (crypto-shredded) or never existed
  | 'rotation_superseded' // another rotation of the tenant's data key started later and carries on
  | 'invalid_keyring'
  | 'key_mismatch'; // a configured KEK is not the key the deployment recorded under its version (verifyKeyring)

export class VaultError extends Error {
  readonly code: VaultErrorCode;

  constructor(code: VaultErrorCode, message: string) {
    super(message);
    this.name = 'VaultError';
    this.code = code;
  }
}
