import { authGeneration } from '@gatehouse/db';

export interface AccessTokenCacheOptions {
  /** Longest an entry is used without reading it again, whatever else happens. */
  ttlMs?: number;
  maxEntries?: number;
}

interface Entry<Row> {
  row: Row;
  expiresAt: number;
}

/**
 * What the MCP endpoint's access-token lookup read (token, its user's role in the endpoint's tenant, its sign-in
 * session), kept in memory so that a client's next request does not read it again. An entry is used only while
 * `changes` is live and no change that could end access has been seen since it was read (`authGeneration`: bumped
 * here by this process's own revocations, sign-outs and membership changes as they are made, and by PostgreSQL's
 * notification of every other when it commits) — so a revocation applies to the very next request. Entries expire
 * after `ttlMs` in any case. Keys are the stored (hashed) token ids, never the tokens; only tokens that exist are
 * kept, so made-up tokens cannot fill it.
 */
export class AccessTokenCache<Row extends object> {
  private readonly entries = new Map<string, Entry<Row>>();
  private seen = authGeneration();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly changes: { readonly live: boolean },
    options: AccessTokenCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The row for `tokenKey` as seen from `tenantId`: remembered, or read with `load` (and remembered if it exists). */
  async read(tokenKey: string, tenantId: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
    const key = `${tenantId} ${tokenKey}`;
    const generation = authGeneration();
    // Every entry was read under `seen`: after any change, none is trusted.
    if (generation !== this.seen) {
      this.entries.clear();
      this.seen = generation;
    }
    const entry = this.changes.live ? this.entries.get(key) : undefined;
    if (entry && entry.expiresAt > Date.now()) return entry.row;
    const row = await load();
    // Only if nothing changed while it was read: a read that raced a revocation may hold what the revocation ended.
    if (row && this.changes.live && authGeneration() === generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(key);
      // Frozen, and handed out as it is: what one request's caller did to it could not reach the next request.
      this.entries.set(key, { row: deepFreeze(structuredClone(row)), expiresAt: Date.now() + this.ttlMs });
    }
    return row;
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
