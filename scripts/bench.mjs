// `npm run bench`: builds what the benchmarks import, makes sure PostgreSQL and Redis answer, runs every
// benchmark in bench/ one after another. Results are printed, never asserted: see docs/benchmarks.md.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from './lib/env.mjs';
import { ensureServices } from './lib/services.mjs';
import { root, say, step, turbo } from './lib/toolchain.mjs';

try {
  const env = loadEnvironment(root, say);
  await ensureServices(env, root, say);
  turbo(['run', 'build', '--filter=@gatehouse/bench^...', '--output-logs=errors-only'], env);
  const only = process.argv[2];
  for (const file of readdirSync(join(root, 'bench'))
    .filter((name) => name.endsWith('.bench.mjs'))
    .sort()) {
    if (only && !file.startsWith(only)) continue;
    step(file, process.execPath, [join(root, 'bench', file)], { env, cwd: join(root, 'bench') });
  }
} catch (error) {
  process.stderr.write(`gatehouse: ${error.message}\n`);
  process.exit(1);
}
