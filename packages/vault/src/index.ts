export { blobKeyVersion, openSecret, sealSecret, additionalData, type SecretContext } from './blob.js';
export { ExpiringCache } from './dek-cache.js';
export { VaultError, type VaultErrorCode } from './errors.js';
export { LocalKeyring, type KeyEncryptionKeyProvider, type WrappedKey } from './kek.js';
export type { DataKeyRecord, DataKeyState, DataKeyStore, SecretStore, StoredSecret } from './stores.js';
export { Vault, type PreparedKey, type RotationProgress, type VaultOptions } from './vault.js';
export { loadKeyringOrExit, verifyKeyringOrExit } from './boot.js';
export { verifyKeyring, type KeyCheckStore } from './key-checks.js';
export { loadPlatformSecret, type PlatformSecretStore } from './platform-secrets.js';
