import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Every process started here and still running. A suite that fails half-way (a set-up that started one process and
 * not the next) can leave one behind: when the test process exits (the e2e run forces its exit once the tests are
 * done), they are killed rather than left running — or holding the run open.
 */
const LIVE = Symbol.for('gatehouse.testing.liveProcesses');
const registry = globalThis as typeof globalThis & { [LIVE]?: Set<ChildProcess> };
// One set and one exit hook per process, however many test files load this module.
const live: Set<ChildProcess> = (registry[LIVE] ??= (() => {
  const children = new Set<ChildProcess>();
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return children;
})());

/** Starts a real child process (api, worker, web, …) with its output captured for assertions and diagnostics. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): RunningProcess {
  const child = spawn(command, [...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    name,
    child,
    output: () => chunks.join(''),
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}
