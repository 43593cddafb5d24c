import { link, verifyChain, type VerifyReport } from './chain.js';
import type { AuditEvent, AuditEventInput } from './event.js';
import type { AuditStore } from './store.js';

interface Pending {
  input: AuditEventInput;
  resolve: (event: AuditEvent) => void;
  reject: (error: unknown) => void;
}

export interface AuditLogOptions {
  /** Most events written in one transaction. */
  maxBatch?: number;
}

/**
 * The audit log. `record` is fail-closed and group-committed: concurrent records for one tenant are written in
 * one transaction under one chain-head lock, and every caller learns whether *its* record is durable before it
 * proceeds. `recordInTransaction` writes inside the caller's transaction, so an action and its record commit
 * together or not at all.
 */
export class AuditLog<Tx = unknown> {
  private readonly queues = new Map<string, Pending[]>();
  private readonly flushing = new Set<string>();
  private readonly maxBatch: number;

  constructor(
    private readonly store: AuditStore<Tx>,
    options: AuditLogOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Resolves once the event is committed; rejects if it could not be written (the caller must not proceed). */
  record(input: AuditEventInput): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(input.tenantId) ?? [];
      queue.push({ input, resolve, reject });
      this.queues.set(input.tenantId, queue);
      if (!this.flushing.has(input.tenantId)) void this.flush(input.tenantId);
    });
  }

  recordInTransaction(tx: Tx, inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    const tenantId = inputs[0]?.tenantId;
    if (!tenantId) return Promise.resolve([]);
    if (inputs.some((input) => input.tenantId !== tenantId))
      throw new Error('one transaction appends to one tenant chain');
    return this.store.appendLinked(tenantId, (head) => link(inputs, head), tx);
  }

  private async flush(tenantId: string): Promise<void> {
    this.flushing.add(tenantId);
    try {
      // Events arriving while a batch is written wait for the next batch: one transaction per batch per tenant.
      for (let queue = this.queues.get(tenantId); queue && queue.length > 0; queue = this.queues.get(tenantId)) {
        const batch = queue.splice(0, this.maxBatch);
        try {
          const written = await this.store.appendLinked(tenantId, (head) =>
            link(
              batch.map((p) => p.input),
              head,
            ),
          );
          batch.forEach((pending, index) => pending.resolve(written[index]!));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.queues.delete(tenantId);
      this.flushing.delete(tenantId);
    }
  }

  async verify(tenantId: string): Promise<VerifyReport> {
    const head = await this.store.head(tenantId);
    return verifyChain(tenantId, this.store.iterate(tenantId), head);
  }
}
