import { PLATFORM_CHAIN, type AuditLog } from '@gatehouse/audit';
import { DataError, normalizeEmail, UserRepository, withScope, type Database, type UserRecord } from '@gatehouse/db';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { IdentityError } from './errors.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { clientAddressKey, RequestBudget } from './request-budget.js';

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string;
  requestId?: string | undefined;
}

export interface AccountServiceOptions {
  /** Redis key namespace (QUEUE_PREFIX). */
  prefix: string;
  /** Failed sign-ins per email before it is locked for `lockSeconds`. */
  failuresPerAccount?: number;
  /** Failed sign-ins per client address (IPv6: per /64) before it is locked for `lockSeconds`. */
  failuresPerIp?: number;
  lockSeconds?: number;
  /** Accounts created per client address (IPv6: per /64) and hour (SIGN_UPS_PER_HOUR). */
  signUpsPerHour?: number;
}

const INVALID = 'The email or password is not correct.';
const TOO_MANY = 'Too many failed sign-ins. Wait a while before trying again.';

/**
 * Console accounts: sign-up and sign-in with argon2id passwords, brute-force limits per account and per IP,
 * and an audit record for every attempt. Unknown email, wrong password and a locked account look the same to the
 * caller apart from the lock's retry-after, which applies to unknown emails too.
 */
export class AccountService {
  private readonly users: UserRepository;
  private readonly byAccount: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;
  private readonly lockSeconds: number;
  private readonly signUps: RequestBudget;

  constructor(
    private readonly db: Database,
    redis: Redis,
    private readonly audit: AuditLog<unknown>,
    options: AccountServiceOptions,
  ) {
    this.users = new UserRepository(db);
    const lock = options.lockSeconds ?? 15 * 60;
    this.lockSeconds = lock;
    const common = { storeClient: redis, duration: lock, blockDuration: lock };
    this.byAccount = new RateLimiterRedis({
      ...common,
      keyPrefix: `${options.prefix}:signin:account`,
      points: options.failuresPerAccount ?? 5,
    });
    this.byIp = new RateLimiterRedis({
      ...common,
      keyPrefix: `${options.prefix}:signin:ip`,
      points: options.failuresPerIp ?? 50,
    });
    this.signUps = new RequestBudget(redis, {
      prefix: options.prefix,
      name: 'signup',
      points: options.signUpsPerHour ?? 50,
      durationSeconds: 3600,
    });
  }

  async signUp(input: {
    email: string;
    password: string;
    displayName: string;
    /** The client's address: sign-ups are budgeted per address before any password is hashed. */
    ip: string;
    requestId?: string | undefined;
  }): Promise<UserRecord> {
    checkPasswordPolicy(input.password);
    const wait = await this.signUps.take(input.ip);
    if (wait !== undefined)
      throw new IdentityError(
        'too_many_attempts',
        'Too many accounts were created from this network. Wait a while before trying again.',
        wait,
      );
    const passwordHash = await hashPassword(input.password);
    try {
      // The account and its audit record commit together (fail closed).
      return await withScope(this.db, { tenantId: PLATFORM_CHAIN }, async (tx) => {
        const user = await new UserRepository(tx).create({
          email: input.email,
          displayName: input.displayName,
          passwordHash,
        });
        await this.audit.recordInTransaction(tx, [
          {
            tenantId: PLATFORM_CHAIN,
            actor: { type: 'user', id: user.id },
            action: 'auth.sign_up',
            target: { type: 'user', id: user.id },
            outcome: 'success',
            requestId: input.requestId,
          },
        ]);
        return user;
      });
    } catch (error) {
      if (error instanceof DataError && error.code === 'conflict') {
        throw new IdentityError('email_taken', 'An account with this email exists. Sign in instead.');
      }
      throw error;
    }
  }

  async signIn(attempt: SignInAttempt): Promise<UserRecord> {
    const email = normalizeEmail(attempt.email);
    try {
      await this.refuseIfLocked(email, attempt.ip);
    } catch (error) {
      await this.audit.record({
        tenantId: PLATFORM_CHAIN,
        actor: { type: 'anonymous' },
        action: 'auth.sign_in',
        outcome: 'denied',
        requestId: attempt.requestId,
        metadata: { email: email.slice(0, 320), ip: attempt.ip, reason: 'too_many_attempts' },
      });
      throw error;
    }
    const candidate = await this.users.credentialsOf(email);
    const ok = await verifyPassword(candidate?.passwordHash, attempt.password);
    if (!ok || !candidate) {
      // Fail closed: the failed attempt is recorded before the caller hears about it.
      await this.audit.record({
        tenantId: PLATFORM_CHAIN,
        actor: { type: 'anonymous' },
        action: 'auth.sign_in',
        outcome: 'failure',
        requestId: attempt.requestId,
        metadata: { email: email.slice(0, 320), ip: attempt.ip },
      });
      await this.countFailure(email, attempt.ip);
      throw new IdentityError('invalid_credentials', INVALID);
    }
    await this.byAccount.delete(email);
    const { passwordHash: _hash, ...user } = candidate;
    await this.audit.record({
      tenantId: PLATFORM_CHAIN,
      actor: { type: 'user', id: user.id },
      action: 'auth.sign_in',
      target: { type: 'user', id: user.id },
      outcome: 'success',
      requestId: attempt.requestId,
      metadata: { ip: attempt.ip },
    });
    return user;
  }

  private async refuseIfLocked(email: string, ip: string): Promise<void> {
    const [account, client] = await Promise.all([this.byAccount.get(email), this.byIp.get(clientAddressKey(ip))]);
    const blocked = [account, client].filter((res): res is RateLimiterRes => res !== null && res.remainingPoints <= 0);
    if (blocked.length > 0) {
      const wait = Math.max(...blocked.map((res) => Math.ceil(res.msBeforeNext / 1000)));
      throw new IdentityError('too_many_attempts', TOO_MANY, wait);
    }
  }

  private async countFailure(email: string, ip: string): Promise<void> {
    for (const [limiter, key] of [
      [this.byAccount, email],
      [this.byIp, clientAddressKey(ip)],
    ] as const) {
      try {
        const result = await limiter.consume(key);
        // The last allowed failure starts a full lock, however long ago the first failure was.
        if (result.remainingPoints === 0) await limiter.block(key, this.lockSeconds);
      } catch (error) {
        // A RateLimiterRes rejection only means the limit is already reached; Redis errors must surface.
        if (!(error instanceof RateLimiterRes)) throw error;
      }
    }
  }
}
