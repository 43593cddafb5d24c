import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// Database lifecycle for tooling (npm start, test runs): create, migrate, drop. Not used by request paths.

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function quoteIdent(name: string): string {
  if (!DATABASE_NAME.test(name)) throw new Error(`refusing unusual database name "${name}"`);
  return `"${name}"`;
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function withDatabaseName(url: string, name: string): string {
  const copy = new URL(url);
  copy.pathname = `/${encodeURIComponent(name)}`;
  return copy.toString();
}

async function withMaintenanceClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabaseName(url, 'postgres'), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in `url` unless it exists. Returns true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  return withMaintenanceClient(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  });
}

export async function dropDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  await withMaintenanceClient(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}

/** Applies pending migrations with `prisma migrate deploy` (wasm engine, see prisma.config.ts). */
export async function migrateDatabase(url: string): Promise<void> {
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', join(packageDir, 'cli', 'unref-engine-timers.cjs'), cli, 'migrate', 'deploy'],
      {
        cwd: packageDir,
        // eslint-disable-next-line no-restricted-syntax -- the CLI child inherits our environment plus its target URL.
        env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `prisma migrate deploy failed for database "${databaseNameOf(url)}":\n${Buffer.concat(output).toString('utf8')}`,
    );
  }
}

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, fully migrated database on the server of `serverUrl` — one per test run or benchmark,
 * so runs never collide. The caller drops it.
 */
export async function createScratchDatabase(serverUrl: string, label: string): Promise<ScratchDatabase> {
  const unique = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const name = `gatehouse_${label}_${unique}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  const url = withDatabaseName(serverUrl, name);
  await ensureDatabase(url);
  try {
    await migrateDatabase(url);
  } catch (error) {
    await dropDatabase(url);
    throw error;
  }
  return { url, name, drop: () => dropDatabase(url) };
}
