import { randomBytes } from 'node:crypto';
import { blobKeyVersion, openSecret, sealSecret, type SecretContext } from './blob.js';
import { VaultError } from './errors.js';

const key = randomBytes(32);
const context: SecretContext = { tenantId: 'tenant-a', owner: 'connection:1', purpose: 'oauth.access_token' };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof VaultError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('secret blobs', () => {
  it('round-trips and carries its key version', () => {
    const blob = sealSecret(key, 7, context, Buffer.from('s3cret'));
    expect(blobKeyVersion(blob)).toBe(7);
    expect(openSecret(key, context, blob).toString()).toBe('s3cret');
  });

  it('uses a fresh IV every time', () => {
    const a = sealSecret(key, 1, context, Buffer.from('same'));
    const b = sealSecret(key, 1, context, Buffer.from('same'));
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
  });

  it('refuses every single flipped bit', () => {
    const blob = sealSecret(key, 1, context, Buffer.from('canary-value'));
    for (let byte = 5; byte < blob.length; byte += 1) {
      const tampered = Buffer.from(blob);
      tampered[byte]! ^= 0x01;
      expect(codeOf(() => openSecret(key, context, tampered))).toBe('decrypt_failed');
    }
  });

  it('refuses a blob moved to another tenant, owner or purpose', () => {
    const blob = sealSecret(key, 1, context, Buffer.from('x'));
    expect(codeOf(() => openSecret(key, { ...context, tenantId: 'tenant-b' }, blob))).toBe('decrypt_failed');
    expect(codeOf(() => openSecret(key, { ...context, owner: 'connection:2' }, blob))).toBe('decrypt_failed');
    expect(codeOf(() => openSecret(key, { ...context, purpose: 'oauth.refresh_token' }, blob))).toBe('decrypt_failed');
  });

  it('refuses a blob whose key version header was rewritten', () => {
    const blob = sealSecret(key, 1, context, Buffer.from('x'));
    blob.writeUInt32BE(2, 1);
    expect(codeOf(() => openSecret(key, context, blob))).toBe('decrypt_failed');
  });

  it('reports malformed input and rejects ambiguous context fields', () => {
    expect(codeOf(() => openSecret(key, context, Buffer.from([1, 0])))).toBe('malformed_blob');
    expect(codeOf(() => openSecret(key, context, Buffer.from([9, 0, 0, 0, 1, ...randomBytes(40)])))).toBe(
      'malformed_blob',
    );
    expect(codeOf(() => sealSecret(key, 1, { ...context, owner: 'a|b' }, Buffer.from('x')))).toBe('malformed_blob');
  });
});
