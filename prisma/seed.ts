// Seeds the demo tenant and its owner. Idempotent: run it any number of times.
// Runs on Node 24's built-in TypeScript support: `node prisma/seed.ts` (npm start runs it after migrating).
import { createDatabase, DEMO_ADMIN, DEMO_TENANT, seedDemoTenant } from '@gatehouse/db';
import { hashPassword } from '@gatehouse/identity';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('seed: DATABASE_URL is required but not set\n');
  process.exit(78);
}
const db = createDatabase({ url, maxConnections: 1, applicationName: 'gatehouse-seed' });
try {
  // DEMO_ADMIN_PASSWORD (generated into .env on first run) lets a developer sign in as the demo owner.
  const password = process.env.DEMO_ADMIN_PASSWORD;
  const result = await seedDemoTenant(db, password ? { adminPasswordHash: await hashPassword(password) } : {});
  process.stdout.write(
    `seed: demo tenant "${DEMO_TENANT.slug}" ${result.created ? 'created' : 'already present'} (owner ${DEMO_ADMIN.email})\n`,
  );
} finally {
  await db.$disconnect();
}
