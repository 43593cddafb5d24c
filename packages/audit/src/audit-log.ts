import { link, verifyChain, type Checkpoint, type VerifyReport } from './chain.js';
import type { AuditEvent, AuditEventInput } from './event.js';
import type { AuditStore } from './store.js';

/**
 * Whether the database refused what was written rather than failing to write it: a data exception or a constraint
 * (SQLSTATE classes 22, 23), found by code or message anywhere along the error's causes (drivers wrap it).
 */
function refusedData(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && typeof cause === 'object' && depth < 5; depth++) {
    const { code, originalCode, message } = cause as { code?: unknown; originalCode?: unknown; message?: unknown };
    if ([code, originalCode].some((value) => typeof value === 'string' && /^2[23][0-9A-Z]{3}$/.test(value)))
      return true;
    if (
      typeof message === 'string' &&
      /invalid input syntax for type json|invalid byte sequence|Unicode escape/.test(message)
    )
      return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

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
          await this.append(tenantId, batch);
        } catch (error) {
          if (batch.length === 1 || !refusedData(error)) {
            for (const pending of batch) pending.reject(error);
            continue;
          }
          // One record the store refuses must not fail the others written with it: each is tried on its own (only
          // then: while the database is down, trying each alone would make every caller wait many times over).
          for (const pending of batch) await this.append(tenantId, [pending]).catch(pending.reject);
        }
      }
    } finally {
      this.queues.delete(tenantId);
      this.flushing.delete(tenantId);
    }
  }

  private async append(tenantId: string, batch: readonly Pending[]): Promise<void> {
    const written = await this.store.appendLinked(tenantId, (head) =>
      link(
        batch.map((pending) => pending.input),
        head,
      ),
    );
    batch.forEach((pending, index) => pending.resolve(written[index]!));
  }

  /** Walks the tenant's chain; with a `checkpoint` recorded earlier (a report's `head`), also that it still holds it. */
  async verify(tenantId: string, checkpoint?: Checkpoint): Promise<VerifyReport> {
    const head = await this.store.head(tenantId);
    return verifyChain(tenantId, this.store.iterate(tenantId), head, {
      readHead: () => this.store.head(tenantId),
      checkpoint,
    });
  }
}
