import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function say(message) {
  process.stdout.write(`gatehouse: ${message}\n`);
}

/** Runs a command to completion with inherited output; throws naming the step when it fails. */
export function step(label, command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status ?? result.signal})`);
  return Date.now() - started;
}

export function turbo(args, env) {
  return step(`turbo ${args.join(' ')}`, join(root, 'node_modules', '.bin', 'turbo'), args, { env });
}
