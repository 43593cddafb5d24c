import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

// Key format: `ghk_<base64url(tenant id ‖ key id)>_<base64url(32 random bytes)>`. The ids let the key be found
// inside its tenant's row-level security scope; only SHA-256 of the random part is stored (it has 256 bits of
// entropy, so a slow hash adds nothing).

const PREFIX = 'ghk_';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

function bytesUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function mintApiKey(tenantId: string): { id: string; key: string; secretHash: Buffer } {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const ids = Buffer.concat([uuidBytes(tenantId), uuidBytes(id)]).toString('base64url');
  return { id, key: `${PREFIX}${ids}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): { tenantId: string; id: string; secret: string } | null {
  const match = /^ghk_([A-Za-z0-9_-]{43})_([A-Za-z0-9_-]{43})$/.exec(key);
  if (!match) return null;
  const ids = Buffer.from(match[1]!, 'base64url');
  if (ids.length !== 32) return null;
  return { tenantId: bytesUuid(ids.subarray(0, 16)), id: bytesUuid(ids.subarray(16)), secret: match[2]! };
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
