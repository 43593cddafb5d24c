import { randomUUID } from 'node:crypto';
import { AuditLog, PLATFORM_CHAIN } from '@gatehouse/audit';
import { AuditRepository, createDatabase, type Database } from '@gatehouse/db';
import { testAppDatabaseUrl, testDatabaseUrl, testPrefix, testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { AccountService, IdentityError, SessionStore, csrfTokenMatches } from '../src/index.js';

let owner: Database;
let app: Database;
let redis: Redis;
let audit: AuditLog;

beforeAll(() => {
  owner = createDatabase({ url: testDatabaseUrl(), maxConnections: 2 });
  app = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 4 });
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  audit = new AuditLog(new AuditRepository(app));
});

afterAll(async () => {
  await redis.quit();
  await Promise.all([owner.$disconnect(), app.$disconnect()]);
});

const prefix = () => `${testPrefix()}-${randomUUID().slice(0, 8)}`;
const email = () => `user-${randomUUID().slice(0, 8)}@example.com`;
const PASSWORD = 'correct horse battery staple';

async function failure(promise: Promise<unknown>): Promise<IdentityError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof IdentityError)) throw new Error(`expected an IdentityError, got ${String(error)}`);
  return error;
}

describe('AccountService', () => {
  it('stores an argon2id hash, never the password', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix() });
    const address = email();
    const user = await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    const [row] = await owner.$queryRaw<
      { password_hash: string }[]
    >`SELECT password_hash FROM users WHERE id = ${user.id}::uuid`;
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);
    expect(
      (
        await failure(
          accounts.signUp({
            email: address.toUpperCase(),
            password: PASSWORD,
            displayName: 'Twin',
            ip: '198.51.100.7',
          }),
        )
      ).code,
    ).toBe('email_taken');
    expect(
      (await failure(accounts.signUp({ email: email(), password: 'short', displayName: 'W', ip: '198.51.100.7' })))
        .code,
    ).toBe('weak_password');
  });

  it('takes a password the same however its characters are composed, and still knows hashes made before', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix() });
    const composed = 'Pässwörter-lang-1'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const address = email();
    await accounts.signUp({ email: address, password: composed, displayName: 'Ada', ip: '198.51.100.7' });
    await expect(accounts.signIn({ email: address, password: decomposed, ip: '10.5.0.1' })).resolves.toMatchObject({
      email: address,
    });
    // An account whose hash was made from the password as typed (before passwords were normalised).
    const earlier = email();
    const user = await accounts.signUp({ email: earlier, password: PASSWORD, displayName: 'Old', ip: '198.51.100.7' });
    const { hash } = await import('@node-rs/argon2');
    const asTyped = await hash(decomposed, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    await owner.$executeRaw`UPDATE users SET password_hash = ${asTyped} WHERE id = ${user.id}::uuid`;
    await expect(accounts.signIn({ email: earlier, password: decomposed, ip: '10.5.0.1' })).resolves.toMatchObject({
      email: earlier,
    });
    expect(
      (await failure(accounts.signIn({ email: earlier, password: 'Passworter-lang-1', ip: '10.5.0.1' }))).code,
    ).toBe('invalid_credentials');
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix() });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    const wrong = await failure(accounts.signIn({ email: address, password: 'not the password!', ip: '10.0.0.1' }));
    const unknown = await failure(accounts.signIn({ email: email(), password: 'not the password!', ip: '10.0.0.1' }));
    expect({ code: wrong.code, message: wrong.message }).toEqual({ code: unknown.code, message: unknown.message });
    expect(wrong.code).toBe('invalid_credentials');
    await expect(
      accounts.signIn({ email: ` ${address.toUpperCase()} `, password: PASSWORD, ip: '10.0.0.1' }),
    ).resolves.toMatchObject({
      email: address,
    });
  });

  it('locks an account after repeated failures, for existing and unknown emails alike, until the lock expires', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix(), failuresPerAccount: 3, lockSeconds: 2 });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    for (const target of [address, email()]) {
      for (let i = 0; i < 3; i += 1)
        await failure(accounts.signIn({ email: target, password: 'wrong password!!', ip: `10.1.0.${i}` }));
      const locked = await failure(accounts.signIn({ email: target, password: PASSWORD, ip: '10.1.1.1' }));
      expect(locked.code).toBe('too_many_attempts');
      expect(locked.retryAfterSeconds).toBeGreaterThan(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(accounts.signIn({ email: address, password: PASSWORD, ip: '10.1.1.1' })).resolves.toMatchObject({
      email: address,
    });
  });

  it('counts attempts sent all at once: no more than the allowance is ever checked, and the right password then waits too', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix(), failuresPerAccount: 5 });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    const refusals = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        failure(accounts.signIn({ email: address, password: `wrong password ${i}!`, ip: `10.4.0.${i + 1}` })),
      ),
    );
    const codes = refusals.map((refusal) => refusal.code).sort();
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(5);
    expect(codes.filter((code) => code === 'too_many_attempts')).toHaveLength(11);
    const failed = await owner.$queryRaw<{ outcome: string }[]>`
      SELECT outcome FROM audit_events WHERE tenant_id = ${PLATFORM_CHAIN}::uuid AND metadata->>'email' = ${address} AND outcome = 'failure'`;
    expect(failed).toHaveLength(5);
    expect((await failure(accounts.signIn({ email: address, password: PASSWORD, ip: '10.4.1.1' }))).code).toBe(
      'too_many_attempts',
    );
  });

  it('a refused attempt costs the other allowance nothing, and a correct one gives its point back', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix(), failuresPerIp: 3 });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    // Many correct sign-ins from one address never use up its allowance.
    for (let i = 0; i < 5; i += 1) await accounts.signIn({ email: address, password: PASSWORD, ip: '192.0.2.77' });
    for (let i = 0; i < 3; i += 1)
      await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: '192.0.2.77' }));
    // The address is spent; its refused attempts at this account do not count against the account.
    for (let i = 0; i < 8; i += 1)
      expect((await failure(accounts.signIn({ email: address, password: 'x', ip: '192.0.2.77' }))).code).toBe(
        'too_many_attempts',
      );
    await expect(accounts.signIn({ email: address, password: PASSWORD, ip: '192.0.2.78' })).resolves.toMatchObject({
      email: address,
    });
  });

  it('an attempt that ends without a verdict (the database failing) costs nothing', async () => {
    const shared = prefix();
    const accounts = new AccountService(app, redis, audit, { prefix: shared, failuresPerAccount: 3 });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    // The same counters, but a database that cannot be reached.
    const unreachable = createDatabase({ url: 'postgresql://nobody@127.0.0.1:9/none', maxConnections: 1 });
    try {
      const failing = new AccountService(unreachable, redis, audit, { prefix: shared, failuresPerAccount: 3 });
      for (let i = 0; i < 6; i += 1)
        await expect(failing.signIn({ email: address, password: PASSWORD, ip: '10.6.0.1' })).rejects.not.toBeInstanceOf(
          IdentityError,
        );
    } finally {
      await unreachable.$disconnect();
    }
    await expect(accounts.signIn({ email: address, password: PASSWORD, ip: '10.6.0.1' })).resolves.toMatchObject({
      email: address,
    });
  });

  it('limits one client IP across many emails', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix(), failuresPerIp: 4 });
    for (let i = 0; i < 4; i += 1)
      await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: '192.0.2.9' }));
    expect(
      (await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: '192.0.2.9' }))).code,
    ).toBe('too_many_attempts');
    expect(
      (await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: '192.0.2.10' }))).code,
    ).toBe('invalid_credentials');
  });

  it('counts an IPv6 client by its /64: a new address in the same network does not reset the limit', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix(), failuresPerIp: 3 });
    for (let i = 0; i < 3; i += 1)
      await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: `2001:db8:7:1::${i + 1}` }));
    expect(
      (await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: '2001:db8:7:1:ffff::9' })))
        .code,
    ).toBe('too_many_attempts');
    expect(
      (await failure(accounts.signIn({ email: email(), password: 'wrong password!!', ip: '2001:db8:7:2::1' }))).code,
    ).toBe('invalid_credentials');
  });

  it('budgets sign-ups per client network before hashing any password', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix(), signUpsPerHour: 2 });
    await accounts.signUp({ email: email(), password: PASSWORD, displayName: 'One', ip: '2001:db8:9::1' });
    await accounts.signUp({ email: email(), password: PASSWORD, displayName: 'Two', ip: '2001:db8:9::2' });
    const refused = await failure(
      accounts.signUp({ email: email(), password: PASSWORD, displayName: 'Three', ip: '2001:db8:9::3' }),
    );
    expect(refused.code).toBe('too_many_attempts');
    expect(refused.retryAfterSeconds).toBeGreaterThan(3000);
    // Another network is not affected.
    await accounts.signUp({ email: email(), password: PASSWORD, displayName: 'Four', ip: '192.0.2.44' });
  });

  it('audits every attempt without the password, on a chain that verifies', async () => {
    const accounts = new AccountService(app, redis, audit, { prefix: prefix() });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    await failure(accounts.signIn({ email: address, password: 'canary-password-1', ip: '10.2.0.1' }));
    await accounts.signIn({ email: address, password: PASSWORD, ip: '10.2.0.1' });
    const rows = await owner.$queryRaw<{ action: string; outcome: string; metadata: unknown }[]>`
      SELECT action, outcome, metadata FROM audit_events WHERE tenant_id = ${PLATFORM_CHAIN}::uuid AND metadata->>'email' = ${address}`;
    expect(rows).toEqual([
      { action: 'auth.sign_in', outcome: 'failure', metadata: { email: address, ip: '10.2.0.1' } },
    ]);
    const all = await owner.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM audit_events WHERE metadata::text LIKE '%canary-password%'`;
    expect(Number(all[0]!.n)).toBe(0);
    await expect(audit.verify(PLATFORM_CHAIN)).resolves.toMatchObject({ ok: true });
  });
});

describe('SessionStore', () => {
  it('creates, reads and destroys sessions; Redis holds only a hash of the id', async () => {
    const sessions = new SessionStore(redis, { prefix: prefix() });
    const { id, session } = await sessions.create('user-1');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(sessions.get(id)).resolves.toEqual(session);
    expect(csrfTokenMatches(session, session.csrfToken)).toBe(true);
    expect(csrfTokenMatches(session, 'forged')).toBe(false);
    expect(await redis.keys(`*${id}*`)).toEqual([]);
    await sessions.destroy(id);
    await expect(sessions.get(id)).resolves.toBeNull();
    await expect(sessions.get('../../etc/passwd')).resolves.toBeNull();
  });

  it('ends a session after its idle timeout', async () => {
    const sessions = new SessionStore(redis, { prefix: prefix(), idleSeconds: 1 });
    const { id } = await sessions.create('user-2');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await expect(sessions.get(id)).resolves.toBeNull();
  });
});

describe('AccountService, fail-closed details', () => {
  it('locks for the full period after the last allowed failure and audits the refused attempts', async () => {
    const accounts = new AccountService(app, redis, audit, {
      prefix: prefix(),
      failuresPerAccount: 2,
      lockSeconds: 60,
    });
    const address = email();
    await accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' });
    for (let i = 0; i < 2; i += 1)
      await failure(accounts.signIn({ email: address, password: 'wrong password!!', ip: '10.9.0.1' }));
    const locked = await failure(accounts.signIn({ email: address, password: PASSWORD, ip: '10.9.0.1' }));
    expect(locked.code).toBe('too_many_attempts');
    expect(locked.retryAfterSeconds).toBeGreaterThan(55);
    const denied = await owner.$queryRaw<{ outcome: string }[]>`
      SELECT outcome FROM audit_events WHERE tenant_id = ${PLATFORM_CHAIN}::uuid AND metadata->>'email' = ${address} AND outcome = 'denied'`;
    expect(denied).toHaveLength(1);
  });

  it('creates no account when its audit record cannot be written', async () => {
    // The audit store refusing the write inside the sign-up transaction (as a full disk or lost connection would).
    class RefusingAuditLog extends AuditLog {
      override recordInTransaction(): Promise<never> {
        return Promise.reject(new Error('audit store unavailable'));
      }
    }
    const failing = new RefusingAuditLog(new AuditRepository(app));
    const accounts = new AccountService(app, redis, failing, { prefix: prefix() });
    const address = email();
    await expect(
      accounts.signUp({ email: address, password: PASSWORD, displayName: 'Ada', ip: '198.51.100.7' }),
    ).rejects.toThrow('audit store unavailable');
    const rows = await owner.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM users WHERE email = ${address}`;
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
