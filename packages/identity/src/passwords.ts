import { hash, verify } from '@node-rs/argon2';
import { IdentityError } from './errors.js';

// argon2id (the library's default algorithm; tests assert the `$argon2id$` prefix) with OWASP's recommended
// minimum cost: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * The form a password is hashed and checked in: Unicode NFKC (NIST SP 800-63B §5.1.1.2), so the same password typed
 * on keyboards or systems that compose characters differently (`é` as one character or as `e` and an accent) is the
 * same password.
 */
function normalized(password: string): string {
  return password.normalize('NFKC');
}

/** What a password is checked as: its normal form, and — for hashes made before passwords were normalised — as typed. */
function candidatesOf(password: string): string[] {
  const normal = normalized(password);
  return normal === password ? [normal] : [normal, password];
}

export function checkPasswordPolicy(password: string): void {
  // In characters (code points of the normal form), not UTF-16 units.
  const length = [...normalized(password)].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new IdentityError(
      'weak_password',
      `Use a password of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
    );
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalized(password), OPTIONS);
}

/** A hash of a random password: verified against when the email is unknown, so both paths take as long. */
let decoy: Promise<string> | undefined;
function decoyHash(): Promise<string> {
  decoy ??= hash(`decoy-${Math.random()}-${Date.now()}`, OPTIONS);
  return decoy;
}

/**
 * Constant-work check: runs as many argon2 verifications (one per candidate form of the password) whether or not
 * there is a hash to check, so an unknown email takes as long as a wrong password.
 */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  const candidates = candidatesOf(password);
  if (!passwordHash) {
    const decoyed = await decoyHash();
    for (const candidate of candidates) await verify(decoyed, candidate).catch(() => false);
    return false;
  }
  for (const candidate of candidates) if (await verify(passwordHash, candidate).catch(() => false)) return true;
  return false;
}
