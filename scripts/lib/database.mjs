import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root, say } from './toolchain.mjs';

/**
 * Creates the configured database if needed, applies migrations, lets the app roles log in, and seeds the demo
 * tenant (idempotent; skipped in production unless SEED_DEMO_TENANT=true). Resolves to whether it seeded.
 */
export async function prepareDatabase(env) {
  // Imported late: @gatehouse/db is built by the step before.
  const { enableRoleLogins, ensureDatabase, migrateDatabase } = await import('@gatehouse/db');
  const owner = env.MIGRATION_DATABASE_URL;
  if (!owner) throw new Error('MIGRATION_DATABASE_URL is not set (see .env.example)');
  if (await ensureDatabase(owner)) say(`created database "${new URL(owner).pathname.slice(1)}"`);
  await migrateDatabase(owner);
  await enableRoleLogins(owner, [env.DATABASE_URL, env.MAINTENANCE_DATABASE_URL]);
  say('migrations applied; application roles can log in');
  const seedDemo = env.SEED_DEMO_TENANT ? env.SEED_DEMO_TENANT === 'true' : env.NODE_ENV !== 'production';
  if (!seedDemo) {
    say('demo tenant not seeded (production; set SEED_DEMO_TENANT=true to seed it)');
    return false;
  }
  // A process group of its own, like the migration: a Ctrl-C reaches `npm start`, which lets the seed finish.
  const seed = spawn(process.execPath, [join(root, 'prisma', 'seed.ts')], {
    cwd: root,
    env: { ...env, DATABASE_URL: owner },
    stdio: 'inherit',
    detached: true,
  });
  const code = await new Promise((resolve, reject) => {
    seed.on('error', reject);
    seed.on('close', (status) => resolve(status));
  });
  if (code !== 0) throw new Error('seeding the demo tenant failed');
  return true;
}
