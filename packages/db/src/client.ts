import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export interface DatabaseOptions {
  url: string;
  /** Pool size for this process; keep api + worker × instances under Postgres' max_connections. */
  maxConnections?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

export type Database = PrismaClient;

/** What repositories run on: the client itself or the client of an open transaction. */
export type DbExecutor = Prisma.TransactionClient;

/** The connection pool behind each client: the hot path's plain SQL (sql.ts) shares it with Prisma. */
const pools = new WeakMap<object, pg.Pool>();

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'gatehouse',
    // Also bounds the wait for a free pooled connection under load; readiness probes have their own, shorter bound.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Idle pooled connections never keep a process alive (a command that used only the plain-SQL path, whose pool
    // Prisma's $disconnect does not end, exits as soon as it is done).
    allowExitOnIdle: true,
  });
  // An idle connection that breaks (a Postgres restart) is dropped by the pool; the next checkout opens a new one.
  pool.on('error', () => undefined);
  // The adapter's typings pin an older @types/pg; the runtime Pool is the same class.
  const adapterPool = pool as unknown as ConstructorParameters<typeof PrismaPg>[0];
  const db = new PrismaClient({ adapter: new PrismaPg(adapterPool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The pool of a client made by `createDatabase`; undefined for a transaction's client. */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}
