import { createDatabase, enableRoleLogins, migrateDatabase } from '../src/index.js';

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
