import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url, with a recognisable prefix so a leaked value is easy to spot in a log. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens and codes are stored by digest only: the in-memory maps never hold a usable credential. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/**
 * Constant-time comparison of two strings of any length: both sides are hashed first, so neither the content nor
 * the length of the expected value leaks through timing.
 */
export function safeEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Compares a presented secret with a stored `digest()` in constant time. */
export function matchesDigest(presented: string, storedDigest: string): boolean {
  return safeEqual(digest(presented), storedDigest);
}

/** RFC 7636 §4.2: S256 challenge of a verifier. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
