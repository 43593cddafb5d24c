import type { ActorType, AuditEvent, ChainHead, Outcome } from './event.js';

export interface AuditFilter {
  action?: string | undefined;
  actorId?: string | undefined;
  actorType?: ActorType | undefined;
  outcome?: Outcome | undefined;
  targetId?: string | undefined;
  /** The MCP client (OAuth client id) of tool calls and MCP requests: `metadata.clientId`. */
  clientId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass back as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/**
 * Persistence for audit chains, implemented by @gatehouse/db's AuditRepository. `Tx` is the caller's open
 * transaction, so an admin action and its audit record commit (or fail) together.
 */
export interface AuditStore<Tx = unknown> {
  /**
   * In one transaction (the given one, or a new one): lock the tenant's chain head, build the next links from
   * it, insert them and move the head. Concurrent appenders to one chain queue on the head's row lock.
   */
  appendLinked(tenantId: string, build: (head: ChainHead | null) => AuditEvent[], tx?: Tx): Promise<AuditEvent[]>;
  head(tenantId: string): Promise<ChainHead | null>;
  /** Every event of the chain in ascending sequence order, read in batches. */
  iterate(tenantId: string, batchSize?: number): AsyncIterable<AuditEvent>;
  /** Newest first, filtered, keyset-paginated by sequence number. */
  list(tenantId: string, filter: AuditFilter, page: { limit: number; before?: number | undefined }): Promise<AuditPage>;
}
