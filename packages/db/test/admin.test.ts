import { enableRoleLogins } from '../src/index.js';

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
