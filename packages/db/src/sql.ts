import { createHash } from 'node:crypto';
import type pg from 'pg';
import { afterTransactionNotingAuthChanges } from './auth-changes.js';
import { poolOf, type Database, type DbExecutor } from './client.js';

/**
 * Plain parameterised SQL for the request hot path. Prisma's client costs ~0.3 ms of CPU per query and ~1 ms per
 * interactive transaction on top of PostgreSQL's own ~0.05 ms (measured on the benchmark machine), and every round
 * trip is a socket write, which costs dearly on small VMs. A tool call makes several reads and an audit append, so
 * they run here, on the same pool, through scoped functions (migration `hot_path_functions`) under the same
 * row-level security.
 */
export interface Sql {
  query<Row extends object>(text: string, values?: readonly unknown[]): Promise<Row[]>;
}

const statementNames = new Map<string, string>();

/**
 * A name for `text`'s prepared statement: each pooled connection parses and plans a hot-path statement once, then
 * only binds and executes it (the statements are few and fixed; their texts never carry values).
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `gh_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return name;
}

function clientSql(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<Row extends object>(text: string, values: readonly unknown[] = []) {
      return (await client.query<Row>({ name: statementName(text), text, values: values as unknown[] })).rows;
    },
  };
}

/**
 * SQL on `executor`: the pool itself for a client from `createDatabase` (one round trip, autocommit), or the open
 * transaction of a Prisma transaction client, so one statement serves inside and outside transactions.
 */
export function sqlOf(executor: Database | DbExecutor): Sql {
  const pool = poolOf(executor);
  if (pool) return clientSql(pool);
  return {
    query: <Row extends object>(text: string, values: readonly unknown[] = []) =>
      executor.$queryRawUnsafe<Row[]>(text, ...values),
  };
}

/**
 * One transaction of plain SQL. It starts without a tenant scope (row-level security then shows nothing): the first
 * statement sets it, e.g. `gatehouse_audit_lock_head`.
 */
export function withSqlTransaction<T>(db: Database, work: (sql: Sql) => Promise<T>): Promise<T> {
  return afterTransactionNotingAuthChanges(() => inSqlTransaction(db, work));
}

async function inSqlTransaction<T>(db: Database, work: (sql: Sql) => Promise<T>): Promise<T> {
  const pool = poolOf(db);
  if (!pool) throw new Error('withSqlTransaction needs a client made by createDatabase');
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(clientSql(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: unknown) => {
      broken = rollback instanceof Error ? rollback : new Error('rollback failed');
    });
    throw error;
  } finally {
    // A connection that could not roll back is not returned to the pool.
    client.release(broken);
  }
}
