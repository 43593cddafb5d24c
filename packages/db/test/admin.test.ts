import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createDatabase, enableRoleLogins, migrateDatabase, scramVerifier } from '../src/index.js';

// Roles belong to the whole PostgreSQL server, so test runs and `npm start` setting up their own databases at the
// same moment alter the same roles.

it('lets the roles log in however many set-ups do it at once', async () => {
  const owner = process.env.GATEHOUSE_TEST_DATABASE_URL!;
  const logins = [process.env.GATEHOUSE_TEST_APP_DATABASE_URL!];
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => enableRoleLogins(owner, logins)));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
  }
});

it('migrates with everything the URL says, as the application connects: sslmode is not dropped', async () => {
  const owner = process.env.GATEHOUSE_TEST_DATABASE_URL!;
  const db = createDatabase({ url: owner, maxConnections: 1 });
  const [setting] = await db.$queryRaw<{ ssl: string }[]>`SHOW ssl`;
  await db.$disconnect();
  const url = new URL(owner);
  url.searchParams.set('sslmode', 'require');
  const migrated = migrateDatabase(url.toString());
  // A server without TLS refuses a connection that requires it: proof the setting reached the migration's client.
  if (setting?.ssl === 'off') await expect(migrated).rejects.toThrow(/SSL|TLS/i);
  else await expect(migrated).resolves.toBeUndefined();
  url.searchParams.set('sslmode', 'disable');
  await expect(migrateDatabase(url.toString())).resolves.toBeUndefined();
}, 60_000);

it('sets role passwords as SCRAM-SHA-256 verifiers, never as text a server log could keep', async () => {
  // RFC 7677 §3: user "user", password "pencil" — the server's signature over the exchange, from the verifier's ServerKey.
  const verifier = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'))!;
  const [, head, keys] = verifier.split('$');
  expect(head).toBe('4096:W22ZaJ0SNY7soEsUEjb6gQ==');
  const [storedKey, serverKey] = keys!.split(':').map((key) => Buffer.from(key, 'base64')) as [Buffer, Buffer];
  const authMessage =
    'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,' +
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe(
    '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  );
  // And the client's proof from the same exchange verifies against StoredKey: H(proof XOR HMAC(StoredKey, …)).
  const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const clientKey = Buffer.from(proof.map((byte, index) => byte ^ signature[index]!));
  expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
  expect(scramVerifier('pässword')).toBeUndefined();

  // PostgreSQL takes it as a verifier (stored as given), not as a password to hash — checked on a role of this test's.
  const db = createDatabase({ url: process.env.GATEHOUSE_TEST_DATABASE_URL!, maxConnections: 1 });
  const role = `gh_scram_${randomBytes(4).toString('hex')}`;
  try {
    const [me] = await db.$queryRaw<
      { super: boolean }[]
    >`SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user`;
    expect(me?.super).toBe(true);
    const chosen = scramVerifier('a generated password')!;
    await db.$executeRawUnsafe(`CREATE ROLE ${role} LOGIN PASSWORD '${chosen}'`);
    const [row] = await db.$queryRaw<
      { stored: string }[]
    >`SELECT rolpassword AS stored FROM pg_authid WHERE rolname = ${role}`;
    expect(row?.stored).toBe(chosen);
  } finally {
    await db.$executeRawUnsafe(`DROP ROLE IF EXISTS ${role}`);
    await db.$disconnect();
  }
});
