import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, say } from './toolchain.mjs';

/** Creates the configured database if needed, applies migrations, and seeds the demo tenant (idempotent). */
export async function prepareDatabase(env) {
  // Imported late: @gatehouse/db is built by the step before.
  const { ensureDatabase, migrateDatabase } = await import('@gatehouse/db');
  if (await ensureDatabase(env.DATABASE_URL)) say(`created database "${new URL(env.DATABASE_URL).pathname.slice(1)}"`);
  await migrateDatabase(env.DATABASE_URL);
  say('migrations applied');
  const seed = spawnSync(process.execPath, [join(root, 'prisma', 'seed.ts')], { cwd: root, env, stdio: 'inherit' });
  if (seed.status !== 0) throw new Error('seeding the demo tenant failed');
}
