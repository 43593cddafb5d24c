import { authGeneration } from './auth-changes.js';

export interface AccessCacheOptions {
  /** Longest an entry is used without reading it again, whatever else happens. */
  ttlMs?: number;
  maxEntries?: number;
}

interface Entry<Row> {
  row: Row;
  expiresAt: number;
}

/**
 * Access data read on a hot path, kept in memory so that the next request does not read it again: the MCP
 * endpoint's access-token lookup (token, its user's role, its sign-in session) in the api, and a tool call's
 * membership, server exposure and connection with its sealed tokens in the worker. An entry is used only while
 * `changes` (an `AuthChangeListener`) is live and no change that could end access has been seen since it was read
 * (`authGeneration`: bumped by this process's own writes as they are made, and by PostgreSQL's notification of
 * every other when it commits — migrations `auth_change_notifications` and `connection_change_notifications`), so
 * a revocation applies to the very next request. Entries expire after `ttlMs` in any case. Only rows that exist
 * are kept (`load` answering undefined is not remembered), so made-up keys cannot fill it.
 */
export class AccessCache<Row extends object> {
  private readonly entries = new Map<string, Entry<Row>>();
  private seen = authGeneration();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly changes: { readonly live: boolean },
    options: AccessCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The row for `key`: remembered, or read with `load` (and remembered if it exists). Rows are handed out frozen —
   * the first time too — so what one caller did to a row could not reach the next (byte buffers in it excepted,
   * which JavaScript cannot freeze: callers only read them).
   */
  async read(key: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
    const generation = authGeneration();
    // Every entry was read under `seen`: after any change, none is trusted.
    if (generation !== this.seen) {
      this.entries.clear();
      this.seen = generation;
    }
    const entry = this.changes.live ? this.entries.get(key) : undefined;
    if (entry && entry.expiresAt > Date.now()) return entry.row;
    const row = await load();
    if (!row) return row;
    deepFreeze(row);
    // Only if nothing changed while it was read: a read that raced a revocation may hold what the revocation ended.
    if (this.changes.live && authGeneration() === generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(key);
      this.entries.set(key, { row, expiresAt: Date.now() + this.ttlMs });
    }
    return row;
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
