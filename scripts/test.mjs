// `npm test`: every tier — typecheck, lint, unit, integration and end-to-end — against real PostgreSQL and Redis
// (started here when absent). Each test run creates its own database and drops it afterwards.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from './lib/env.mjs';
import { ensureServices } from './lib/services.mjs';
import { root, say, turbo } from './lib/toolchain.mjs';

function workspaces() {
  return ['apps', 'packages', 'tests'].flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
  );
}

function tally() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const dir of workspaces()) {
    const file = join(dir, '.jest-results.json');
    if (!existsSync(file)) continue;
    const results = JSON.parse(readFileSync(file, 'utf8'));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + (results.numTodoTests ?? 0);
  }
  return { passed, failed, skipped };
}

async function main() {
  const started = Date.now();
  const env = loadEnvironment(root, say);
  env.TEST_DATABASE_URL ??= env.MIGRATION_DATABASE_URL;
  env.TEST_REDIS_URL ??= env.REDIS_URL;
  await ensureServices(
    { ...env, MIGRATION_DATABASE_URL: env.TEST_DATABASE_URL, REDIS_URL: env.TEST_REDIS_URL },
    root,
    say,
  );
  // Results of an earlier run must not count; turbo restores them for cached (unchanged) workspaces.
  for (const dir of workspaces()) rmSync(join(dir, '.jest-results.json'), { force: true });
  let failure;
  try {
    turbo(['run', 'build', 'typecheck', 'lint', 'test', '--continue'], env);
  } catch (error) {
    failure = error;
  }
  const { passed, failed, skipped } = tally();
  say(`finished in ${Math.round((Date.now() - started) / 1000)} s`);
  process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  if (failure || failed > 0 || passed === 0) {
    process.stderr.write(
      `gatehouse: ${failure ? failure.message : failed > 0 ? `${failed} tests failed` : 'no tests ran'}\n`,
    );
    process.exit(1);
  }
}

main().catch((error) => {
  process.stderr.write(`gatehouse: ${error.message}\n`);
  process.exit(1);
});
