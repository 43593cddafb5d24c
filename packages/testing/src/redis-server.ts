import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { freePort } from './ports.js';
import { startProcess, type RunningProcess } from './process.js';
import { waitFor } from './wait.js';

/**
 * A Redis server of a test's own (the machine's `redis-server`, on a free port, append-only file in a temporary
 * directory, fsync on every write — how a deployment that must not lose its queue runs Redis). `restart()` stops it
 * for real (clients lose their connections) and starts it again on the same port with its data, so a test can
 * restart "Redis" under load without touching the Redis other suites share.
 */
export class RedisServer {
  private process: RunningProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'gatehouse-redis-')));
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    this.process = startProcess(
      'redis-server',
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
      ],
      { env: { PATH: process.env.PATH } },
    );
    await waitFor(`redis-server on port ${this.port}`, () => this.ping(), { timeoutMs: 10_000, intervalMs: 50 });
  }

  private ping(): Promise<true | undefined> {
    return new Promise((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(undefined));
      socket.connect(this.port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG') ? true : undefined);
      });
    });
  }

  /** Stops the server (SIGTERM: it flushes its append-only file), waits `downMs`, starts it again with its data. */
  async restart(downMs: number): Promise<void> {
    await this.process?.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  output(): string {
    return this.process?.output() ?? '';
  }
}
