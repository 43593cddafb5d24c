import { PrismaPg } from '@prisma/adapter-pg';
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

export function createDatabase(options: DatabaseOptions): Database {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'gatehouse',
    // Also bounds the wait for a free pooled connection under load; readiness probes have their own, shorter bound.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}
