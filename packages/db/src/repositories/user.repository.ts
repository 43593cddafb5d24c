import { DataError, isUniqueViolation } from '../errors.js';
import type { DbExecutor } from '../client.js';

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  createdAt: Date;
}

const userColumns = { id: true, email: true, displayName: true, createdAt: true } as const;

/** Emails are compared case-insensitively: stored lower-cased, looked up lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserRepository {
  constructor(private readonly db: DbExecutor) {}

  async create(input: { email: string; displayName: string; passwordHash?: string }): Promise<UserRecord> {
    try {
      return await this.db.user.create({
        data: {
          email: normalizeEmail(input.email),
          displayName: input.displayName,
          passwordHash: input.passwordHash ?? null,
        },
        select: userColumns,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DataError('conflict', 'a user with this email exists', { cause: error });
      throw error;
    }
  }

  /** The only read of a password hash: for the credential check. */
  async credentialsOf(email: string): Promise<(UserRecord & { passwordHash: string | null }) | null> {
    return this.db.user.findUnique({
      where: { email: normalizeEmail(email) },
      select: { ...userColumns, passwordHash: true },
    });
  }

  /** Sets a password only where none exists (used by the demo seed; never overwrites a chosen password). */
  async setPasswordHashIfMissing(id: string, passwordHash: string): Promise<boolean> {
    return (await this.db.user.updateMany({ where: { id, passwordHash: null }, data: { passwordHash } })).count === 1;
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.db.user.findUnique({ where: { id }, select: userColumns });
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.db.user.findUnique({ where: { email: normalizeEmail(email) }, select: userColumns });
  }
}
