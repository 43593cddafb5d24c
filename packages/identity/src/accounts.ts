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
    // No automatic block on going over: an attempt refused because others are still being checked is given back
    // (`reserve`), and the lock starts with the failure that spends the last point (`block` below).
    const common = { storeClient: redis, duration: lock };
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
    const client = clientAddressKey(attempt.ip);
    // Every attempt takes its point before its password is checked, and a correct one gives it back: attempts sent
    // all at once cannot outrun the count (checking first and counting after let each of them through the gate
    // while the others were still being verified).
    const reservation = await this.reserve(email, client);
    if (reservation.refused !== undefined) {
      await this.audit.record({
        tenantId: PLATFORM_CHAIN,
        actor: { type: 'anonymous' },
        action: 'auth.sign_in',
        outcome: 'denied',
        requestId: attempt.requestId,
        metadata: { email: email.slice(0, 320), ip: attempt.ip, reason: 'too_many_attempts' },
      });
      throw new IdentityError('too_many_attempts', TOO_MANY, reservation.refused);
    }
    let candidate: Awaited<ReturnType<UserRepository['credentialsOf']>>;
    let ok: boolean;
    try {
      candidate = await this.users.credentialsOf(email);
      ok = await verifyPassword(candidate?.passwordHash, attempt.password);
    } catch (error) {
      // No verdict (the database failed, say): the attempt did not happen, and costs nothing.
      await this.giveBack(email, client, [true, true]).catch(() => undefined);
      throw error;
    }
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
      // The last allowed failure starts a full lock, however long ago the first failure was.
      for (const [limiter, key, left] of [
        [this.byAccount, email, reservation.account],
        [this.byIp, client, reservation.client],
      ] as const)
        if (left === 0) await limiter.block(key, this.lockSeconds);
      throw new IdentityError('invalid_credentials', INVALID);
    }
    await Promise.all([this.byAccount.delete(email), this.byIp.reward(client, 1)]);
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

  /**
   * Takes one attempt from the account's and the client's allowances. Refused (with the seconds until the later of
   * the two frees up) when either is spent — and then both points are given back, as no attempt is made (so attempts
   * refused while others are being checked never add to the count). Redis errors surface as they are (an outage is
   * not a lock), with whatever was taken given back.
   */
  private async reserve(
    email: string,
    client: string,
  ): Promise<{ refused?: number; account?: number; client?: number }> {
    const [account, address] = await Promise.allSettled([this.byAccount.consume(email), this.byIp.consume(client)]);
    // A consume that answered (allowed or refused) counted the attempt; one that failed did not.
    const counted = [account, address].map(
      (result) => result.status === 'fulfilled' || result.reason instanceof RateLimiterRes,
    ) as [boolean, boolean];
    const failure = [account, address].find(
      (result) => result.status === 'rejected' && !(result.reason instanceof RateLimiterRes),
    ) as PromiseRejectedResult | undefined;
    if (failure) {
      await this.giveBack(email, client, counted).catch(() => undefined);
      throw failure.reason;
    }
    if (account.status === 'fulfilled' && address.status === 'fulfilled')
      return { account: account.value.remainingPoints, client: address.value.remainingPoints };
    await this.giveBack(email, client, counted);
    const refused = [account, address].flatMap((result) =>
      result.status === 'rejected' ? [result.reason as RateLimiterRes] : [],
    );
    return { refused: Math.max(1, ...refused.map((res) => Math.ceil(res.msBeforeNext / 1000))) };
  }

  /** Gives back the points an attempt took (`which`: the account's, the client's). */
  private async giveBack(email: string, client: string, which: readonly [boolean, boolean]): Promise<void> {
    await Promise.all([
      which[0] ? this.byAccount.reward(email, 1) : undefined,
      which[1] ? this.byIp.reward(client, 1) : undefined,
    ]);
  }
}
