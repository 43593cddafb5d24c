import { open, packSealed, seal, unpackSealed } from './aead.js';
import { VaultError } from './errors.js';

/**
 * Secret blob layout (all integers big-endian):
 *   format (1 byte, = 1) | DEK version (4 bytes) | iv (12) | ciphertext (n) | tag (16)
 * The DEK version tells which tenant data key to use; the format byte lets the layout evolve.
 */
const FORMAT = 1;
const HEADER_BYTES = 5;

/** What a ciphertext is bound to. Decrypting under any other context fails. */
export interface SecretContext {
  tenantId: string;
  /** The row that owns the secret, e.g. `connection:7f1c…` — moving the blob to another row breaks it. */
  owner: string;
  /** What the secret is for, e.g. `oauth.access_token`. */
  purpose: string;
}

/** The AAD separator and control characters would make two different contexts encode alike. */
const UNSAFE_FIELD = /[|\p{Cc}]/u;

function field(name: string, value: string): string {
  if (value.length === 0 || value.length > 200 || UNSAFE_FIELD.test(value)) {
    throw new VaultError('malformed_blob', `secret context ${name} must be 1–200 printable characters without "|"`);
  }
  return value;
}

/** AAD = canonical encoding of (tenant, owner, purpose, key version). */
export function additionalData(context: SecretContext, dekVersion: number): Buffer {
  return Buffer.from(
    `gatehouse.secret.v${FORMAT}|${field('tenantId', context.tenantId)}|${field('owner', context.owner)}|${field('purpose', context.purpose)}|${dekVersion}`,
    'utf8',
  );
}

export function sealSecret(dek: Buffer, dekVersion: number, context: SecretContext, plaintext: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(FORMAT, 0);
  header.writeUInt32BE(dekVersion, 1);
  return Buffer.concat([header, packSealed(seal(dek, plaintext, additionalData(context, dekVersion)))]);
}

/** Reads the DEK version from a blob without decrypting it. */
export function blobKeyVersion(blob: Buffer): number {
  if (blob.length < HEADER_BYTES) throw new VaultError('malformed_blob', 'secret blob is too short');
  const format = blob.readUInt8(0);
  if (format !== FORMAT) throw new VaultError('malformed_blob', `unknown secret blob format ${format}`);
  return blob.readUInt32BE(1);
}

export function openSecret(dek: Buffer, context: SecretContext, blob: Buffer): Buffer {
  const dekVersion = blobKeyVersion(blob);
  return open(dek, unpackSealed(blob.subarray(HEADER_BYTES)), additionalData(context, dekVersion));
}
