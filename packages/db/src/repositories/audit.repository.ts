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

/** Compare-and-set attempts before an append waits in line on the head's lock instead. */
const SWAP_ATTEMPTS = 4;
const MAX_REMEMBERED_HEADS = 10_000;
const EMPTY_HASH = Buffer.alloc(32);

function headOf(row: { last_seq: string | bigint; last_hash: Uint8Array }): AuditHead | null {
  return Number(row.last_seq) === 0 ? null : { lastSeq: Number(row.last_seq), lastHash: Buffer.from(row.last_hash) };
}

/**
 * Moves the chain's head from `after` to the last of `events` and inserts them, in one statement, if the head is
 * still `after`; otherwise writes nothing and answers the current head.
 */
async function swapHead(
  sql: Sql,
  tenantId: string,
  after: AuditHead | null,
  events: AuditEventRow[],
): Promise<{ appended: boolean; head: AuditHead | null }> {
  // The whole batch travels as one JSON parameter.
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
  const [row] = await sql.query<{ appended: boolean; last_seq: string | bigint; last_hash: Uint8Array }>(
    'SELECT appended, last_seq, last_hash FROM gatehouse_audit_append($1::uuid, $2::bigint, $3, $4::jsonb, $5::bigint, $6)',
    [tenantId, String(after?.lastSeq ?? 0), after?.lastHash ?? EMPTY_HASH, batch, String(last.seq), last.hash],
  );
  if (!row) throw new Error('audit chain head is not visible in this tenant scope');
  return { appended: row.appended, head: headOf(row) };
}

export class AuditRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends the links `build` makes on the chain's head. Inside a caller's transaction: under the head's row lock,
   * held until that transaction ends. Otherwise (every MCP request and tool call) as one autocommit statement
   * (`gatehouse_audit_append`, a compare-and-set on the head): built on the head this process last saw, and built
   * again on the current head when another appender moved it meanwhile; under sustained contention it falls back to
   * waiting in line on the lock.
   */
  async appendLinked(
    tenantId: string,
    build: (head: AuditHead | null) => AuditEventRow[],
    tx?: DbExecutor,
  ): Promise<AuditEventRow[]> {
    if (tx) return this.appendIn(sqlOf(tx), tenantId, build);
    const sql = sqlOf(this.db);
    let head = this.heads.get(tenantId) ?? null;
    for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
      const events = build(head);
      if (events.length === 0) return events;
      const swapped = await swapHead(sql, tenantId, head, events);
      this.remember(tenantId, swapped.head);
      if (swapped.appended) return events;
      head = swapped.head;
    }
    const events = await withSqlTransaction(this.db, (locked) => this.appendIn(locked, tenantId, build));
    const last = events.at(-1);
    if (last) this.remember(tenantId, { lastSeq: last.seq, lastHash: last.hash });
    return events;
  }

  /** The head this process last wrote or saw per tenant (a guess: a wrong one costs one more round trip). */
  private readonly heads = new Map<string, AuditHead | null>();

  private remember(tenantId: string, head: AuditHead | null): void {
    this.heads.delete(tenantId);
    this.heads.set(tenantId, head);
    if (this.heads.size > MAX_REMEMBERED_HEADS) this.heads.delete(this.heads.keys().next().value!);
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
    const head = headOf(locked);
    const events = build(head);
    if (events.length === 0) return events;
    if (!(await swapHead(sql, tenantId, head, events)).appended) throw new Error('audit chain head did not move');
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
