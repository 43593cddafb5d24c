// `npm run db:migrate`: create the configured database if needed, apply migrations, seed the demo tenant.
import { prepareDatabase } from './lib/database.mjs';
import { loadEnvironment } from './lib/env.mjs';
import { ensureServices } from './lib/services.mjs';
import { root, say, turbo } from './lib/toolchain.mjs';

try {
  const env = loadEnvironment(root, say);
  await ensureServices(env, root, say);
  turbo(['run', 'build', '--filter=@gatehouse/db', '--output-logs=errors-only'], env);
  await prepareDatabase(env);
} catch (error) {
  process.stderr.write(`gatehouse: ${error.message}\n`);
  process.exit(1);
}
