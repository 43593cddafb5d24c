import { spawn } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// Database lifecycle for tooling (npm start, test runs): create, migrate, drop. Not used by request paths.

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`refusing unusual identifier "${name}"`);
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
        // A process group of its own: a Ctrl-C in the terminal reaches the caller, which lets the migration finish
        // (npm start does) — never the CLI halfway through one, after which Prisma refuses every later deploy (P3009).
        detached: true,
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    // 'close', not 'exit': every line of its output is in by then.
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `prisma migrate deploy failed for database "${databaseNameOf(url)}":\n${Buffer.concat(output).toString('utf8')}`,
    );
  }
}

/** The application roles created by the migrations (see prisma/migrations/*_roles_rls_vault). */
export const APP_ROLE = 'gatehouse_app';
export const MAINTENANCE_ROLE = 'gatehouse_maintenance';

/** The same server and database as `url`, as another role. */
export function roleUrl(url: string, role: string, password?: string): string {
  const copy = new URL(url);
  copy.username = encodeURIComponent(role);
  copy.password = password ? encodeURIComponent(password) : '';
  return copy.toString();
}

const ROLE_UPDATE_ATTEMPTS = 8;

/**
 * PostgreSQL's SCRAM-SHA-256 verifier of `password` (RFC 5802/7677: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:
 * <ServerKey>`), which `ALTER ROLE … PASSWORD` stores as given. Sending it instead of the password keeps the
 * password out of the statement text — which the server logs under `log_statement = ddl`, with any failed statement
 * (`log_min_error_statement`), and shows in `pg_stat_activity` while it runs. Undefined for a password with
 * characters outside printable ASCII, where SASLprep (which the server applies first) could change it.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string | undefined {
  if (!/^[\x20-\x7e]+$/.test(password)) return undefined;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Lets the application roles log in, with the passwords carried by their connection URLs (run as the owner after
 * migrating). URLs for other users are ignored: a deployment may use roles it manages itself.
 */
export async function enableRoleLogins(ownerUrl: string, loginUrls: readonly (string | undefined)[]): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    for (const url of loginUrls) {
      if (!url) continue;
      const parsed = new URL(url);
      const role = decodeURIComponent(parsed.username);
      if (role !== APP_ROLE && role !== MAINTENANCE_ROLE) continue;
      const password = decodeURIComponent(parsed.password);
      const stored = password ? (scramVerifier(password) ?? password) : undefined;
      const statement = `ALTER ROLE ${quoteIdent(role)} LOGIN${stored ? ` PASSWORD ${client.escapeLiteral(stored)}` : ''}`;
      // Roles belong to the whole server: two runs setting up their own databases at once (parallel test suites)
      // alter the same role, and PostgreSQL refuses the second ("tuple concurrently updated"). The statement is
      // idempotent, so it is simply made again.
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(statement);
          break;
        } catch (error) {
          if (attempt >= ROLE_UPDATE_ATTEMPTS || !/tuple concurrently updated/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 100 * attempt));
        }
      }
    }
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  /** As the owner (migrations, seeding, test set-up). */
  url: string;
  /** As gatehouse_app: what the api and worker use; row-level security applies. */
  appUrl: string;
  /** As gatehouse_maintenance: cross-tenant jobs. */
  maintenanceUrl: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, fully migrated database on the server of `serverUrl` — one per test run or benchmark,
 * so runs never collide. The caller drops it.
 */
export async function createScratchDatabase(
  serverUrl: string,
  label: string,
  passwords: { app?: string; maintenance?: string } = {},
): Promise<ScratchDatabase> {
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
  const appUrl = roleUrl(url, APP_ROLE, passwords.app);
  const maintenanceUrl = roleUrl(url, MAINTENANCE_ROLE, passwords.maintenance);
  await enableRoleLogins(url, [appUrl, maintenanceUrl]);
  return { url, appUrl, maintenanceUrl, name, drop: () => dropDatabase(url) };
}
