// Runs several long-lived processes as one: a single prefixed log stream, readiness waits, and a shutdown that
// leaves nothing behind (each child gets its own process group, which is signalled as a whole).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const COLORS = [36, 35, 33, 32, 34];
const LEVEL_LABEL = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

function formatLine(line, pretty) {
  if (!pretty || !line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line);
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
    const level =
      LEVEL_LABEL[entry.level] ??
      String(entry.level ?? '')
        .toUpperCase()
        .padEnd(5);
    const extra = [];
    if (entry.req?.method)
      extra.push(`${entry.req.method} ${entry.req.url} → ${entry.res?.statusCode} ${entry.responseTime ?? ''}ms`);
    if (entry.err?.message) extra.push(entry.err.message);
    if (entry.context) extra.unshift(`[${entry.context}]`);
    return `${time} ${level} ${extra.length ? `${extra.join(' ')} ` : ''}${entry.msg ?? ''}`.trimEnd();
  } catch {
    return line;
  }
}

export class ProcessGroup {
  constructor({ pretty = Boolean(process.stdout.isTTY) } = {}) {
    this.pretty = pretty;
    this.children = [];
    this.stopping = false;
    this.width = 0;
  }

  start(name, command, args, options) {
    this.width = Math.max(this.width, name.length);
    const color = COLORS[this.children.length % COLORS.length];
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = {
      name,
      child,
      exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    };
    const prefix = () =>
      this.pretty ? `\x1b[${color}m${name.padEnd(this.width)} |\x1b[0m ` : `${name.padEnd(this.width)} | `;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) =>
        process.stdout.write(`${prefix()}${formatLine(line, this.pretty)}\n`),
      );
    }
    this.children.push(entry);
    return entry;
  }

  /** Resolves with the first child that exits while we are not stopping. */
  firstUnexpectedExit() {
    return Promise.race(this.children.map((entry) => entry.exited.then((result) => ({ name: entry.name, ...result }))));
  }

  async stop(graceMs = 15_000) {
    if (this.stopping) return;
    this.stopping = true;
    const signalGroup = (entry, signal) => {
      try {
        process.kill(-entry.child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    for (const entry of this.children) signalGroup(entry, 'SIGTERM');
    const timer = setTimeout(() => {
      for (const entry of this.children) signalGroup(entry, 'SIGKILL');
    }, graceMs);
    await Promise.all(this.children.map((entry) => entry.exited));
    clearTimeout(timer);
    // Children of children (e.g. Next's workers) share the group: make sure none outlive us.
    for (const entry of this.children) signalGroup(entry, 'SIGKILL');
  }
}

export async function waitForHttp(url, { timeoutMs = 90_000, expect = (res) => res.ok } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (expect(res)) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s (last: ${last})`);
}
