// Shared helpers for benchmarks: the environment (same .env as npm start), a scratch database, and a timer.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export function environment() {
  const file = join(import.meta.dirname, '..', '.env');
  const env = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) env[match[1]] = match[2];
    }
  }
  return { ...env, ...process.env };
}

export function machine() {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
}

/** Runs `fn` `count` times with at most `concurrency` in flight; returns operations per second. */
export async function throughput(count, concurrency, fn) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await fn(i);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export function row(label, opsPerSecond, baseline) {
  const ratio = baseline ? ` (${(opsPerSecond / baseline).toFixed(2)}× baseline)` : '';
  return `  ${label.padEnd(52)} ${Math.round(opsPerSecond).toLocaleString('en-US').padStart(12)} ops/s${ratio}`;
}
