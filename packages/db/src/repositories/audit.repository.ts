import type { Database, DbExecutor } from '../client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { withTenant } from '../scope.js';
import { sqlOf, withSqlTransaction, type Sql } from '../sql.js';

// Implements @gatehouse/audit's AuditStore structurally (this package does not depend on it). Hashing and
// chain logic live in the audit package; this file only persists links under the chain-head lock.

type ActorType = 'user' | 'api_key' | 'oauth_client' | 'system' | 'anonymous';
type Outcome = 'success' | 'failure' | 'denied' | 'error';
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface AuditEventRow {
  tenantId: string;
  seq: number;
  occurredAt: Date;
  actorType: ActorType;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: Outcome;
  requestId: string | null;
  traceId: string | null;
  metadata: { [key: string]: Json };
  prevHash: Buffer;
  hash: Buffer;
}

export interface AuditHead {
  lastSeq: number;
  lastHash: Buffer;
}

export interface AuditQuery {
  action?: string | undefined;
  actorId?: string | undefined;
  actorType?: ActorType | undefined;
  outcome?: Outcome | undefined;
  targetId?: string | undefined;
  clientId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

type StoredRow = Prisma.AuditEventGetPayload<object>;

function fromRow(row: StoredRow): AuditEventRow {
  return {
    tenantId: row.tenantId,
    seq: Number(row.seq),
    occurredAt: row.occurredAt,
    actorType: row.actorType as ActorType,
    actorId: row.actorId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome as Outcome,
    requestId: row.requestId,
    traceId: row.traceId,
    metadata: (row.metadata ?? {}) as { [key: string]: Json },
    prevHash: Buffer.from(row.prevHash),
    hash: Buffer.from(row.hash),
  };
}

export class AuditRepository {
  constructor(private readonly db: Database) {}

  appendLinked(
    tenantId: string,
    build: (head: AuditHead | null) => AuditEventRow[],
    tx?: DbExecutor,
  ): Promise<AuditEventRow[]> {
    // Outside a caller's transaction (every MCP request and tool call) the append is plain SQL: see sql.ts.
    return tx
      ? this.appendIn(sqlOf(tx), tenantId, build)
      : withSqlTransaction(this.db, (sql) => this.appendIn(sql, tenantId, build));
  }

  private async appendIn(
    sql: Sql,
    tenantId: string,
    build: (head: AuditHead | null) => AuditEventRow[],
  ): Promise<AuditEventRow[]> {
    // Scope the transaction, create the head on first use and lock it, in one round trip: appends to one chain
    // serialise on this row lock, across processes.
    const [locked] = await sql.query<{ last_seq: string | bigint; last_hash: Uint8Array }>(
      'SELECT last_seq, last_hash FROM gatehouse_audit_lock_head($1::uuid)',
      [tenantId],
    );
    if (!locked) throw new Error('audit chain head is not visible in this tenant scope');
    const head =
      Number(locked.last_seq) === 0
        ? null
        : { lastSeq: Number(locked.last_seq), lastHash: Buffer.from(locked.last_hash) };
    const events = build(head);
    if (events.length === 0) return events;
    // The whole batch travels as one JSON parameter; inserting it and moving the head is one statement.
    const batch = JSON.stringify(
      events.map((event) => ({
        seq: event.seq,
        occurred_at: event.occurredAt.toISOString(),
        actor_type: event.actorType,
        actor_id: event.actorId,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId,
        outcome: event.outcome,
        request_id: event.requestId,
        trace_id: event.traceId,
        metadata: event.metadata,
        prev_hash: event.prevHash.toString('hex'),
        hash: event.hash.toString('hex'),
      })),
    );
    const last = events.at(-1)!;
    const [moved] = await sql.query<{ count: number }>(
      `WITH inserted AS (
        INSERT INTO audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
                                  outcome, request_id, trace_id, metadata, prev_hash, hash)
        SELECT $1::uuid, e.seq, e.occurred_at, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id,
               e.outcome, e.request_id, e.trace_id, e.metadata, decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
        FROM jsonb_to_recordset($2::jsonb) AS e(
          seq bigint, occurred_at timestamptz, actor_type text, actor_id text, action text, target_type text,
          target_id text, outcome text, request_id text, trace_id text, metadata jsonb, prev_hash text, hash text)
        RETURNING 1
      ), moved AS (
        UPDATE audit_chain_heads SET last_seq = $3::bigint, last_hash = $4
        WHERE tenant_id = $1::uuid AND (SELECT count(*) FROM inserted) = $5::int
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM moved`,
      [tenantId, batch, String(last.seq), last.hash, events.length],
    );
    if (moved?.count !== 1) throw new Error('audit chain head did not move');
    return events;
  }

  /** Cross-tenant (maintenance connection): every chain that has events, including those of deleted tenants. */
  static async chainIds(maintenance: Database): Promise<string[]> {
    const rows = await maintenance.auditChainHead.findMany({
      select: { tenantId: true },
      orderBy: { tenantId: 'asc' },
    });
    return rows.map((row) => row.tenantId);
  }

  head(tenantId: string): Promise<AuditHead | null> {
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.auditChainHead.findUnique({ where: { tenantId } });
      return row && row.lastSeq > 0n ? { lastSeq: Number(row.lastSeq), lastHash: Buffer.from(row.lastHash) } : null;
    });
  }

  async *iterate(tenantId: string, batchSize = 1_000): AsyncGenerator<AuditEventRow> {
    let after = 0n;
    for (;;) {
      const rows = await withTenant(this.db, tenantId, (tx) =>
        tx.auditEvent.findMany({ where: { tenantId, seq: { gt: after } }, orderBy: { seq: 'asc' }, take: batchSize }),
      );
      for (const row of rows) yield fromRow(row);
      if (rows.length < batchSize) return;
      after = rows.at(-1)!.seq;
    }
  }

  async list(tenantId: string, filter: AuditQuery, page: { limit: number; before?: number | undefined }) {
    const limit = Math.min(Math.max(page.limit, 1), 1_000);
    const rows = await withTenant(this.db, tenantId, (tx) =>
      tx.auditEvent.findMany({
        where: {
          tenantId,
          ...(page.before === undefined ? {} : { seq: { lt: BigInt(page.before) } }),
          ...(filter.action ? { action: filter.action } : {}),
          ...(filter.actorId ? { actorId: filter.actorId } : {}),
          ...(filter.actorType ? { actorType: filter.actorType } : {}),
          ...(filter.outcome ? { outcome: filter.outcome } : {}),
          ...(filter.targetId ? { targetId: filter.targetId } : {}),
          ...(filter.clientId ? { metadata: { path: ['clientId'], equals: filter.clientId } } : {}),
          ...(filter.from || filter.to
            ? { occurredAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
            : {}),
        },
        orderBy: { seq: 'desc' },
        take: limit + 1,
      }),
    );
    const events = rows.slice(0, limit).map(fromRow);
    return { events, nextCursor: rows.length > limit ? events.at(-1)!.seq : null };
  }
}
