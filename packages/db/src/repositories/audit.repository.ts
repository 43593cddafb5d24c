import type { Database, DbExecutor } from '../client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { withTenant } from '../scope.js';

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
    return tx
      ? this.appendIn(tx, tenantId, build)
      : withTenant(this.db, tenantId, (scoped) => this.appendIn(scoped, tenantId, build));
  }

  private async appendIn(
    tx: DbExecutor,
    tenantId: string,
    build: (head: AuditHead | null) => AuditEventRow[],
  ): Promise<AuditEventRow[]> {
    // Create the head on first use, then lock it: appends to one chain serialise here, across processes.
    await tx.$executeRaw`
      INSERT INTO audit_chain_heads (tenant_id, last_seq, last_hash) VALUES (${tenantId}::uuid, 0, ${Buffer.alloc(32)})
      ON CONFLICT (tenant_id) DO NOTHING`;
    const [locked] = await tx.$queryRaw<{ last_seq: bigint; last_hash: Uint8Array }[]>`
      SELECT last_seq, last_hash FROM audit_chain_heads WHERE tenant_id = ${tenantId}::uuid FOR UPDATE`;
    if (!locked) throw new Error('audit chain head is not visible in this tenant scope');
    const head =
      Number(locked.last_seq) === 0
        ? null
        : { lastSeq: Number(locked.last_seq), lastHash: Buffer.from(locked.last_hash) };
    const events = build(head);
    if (events.length === 0) return events;
    await tx.auditEvent.createMany({
      data: events.map((event) => ({
        tenantId: event.tenantId,
        seq: BigInt(event.seq),
        occurredAt: event.occurredAt,
        actorType: event.actorType,
        actorId: event.actorId,
        action: event.action,
        targetType: event.targetType,
        targetId: event.targetId,
        outcome: event.outcome,
        requestId: event.requestId,
        traceId: event.traceId,
        metadata: event.metadata,
        prevHash: new Uint8Array(event.prevHash),
        hash: new Uint8Array(event.hash),
      })),
    });
    const last = events.at(-1)!;
    await tx.auditChainHead.update({
      where: { tenantId },
      data: { lastSeq: BigInt(last.seq), lastHash: new Uint8Array(last.hash) },
    });
    return events;
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
