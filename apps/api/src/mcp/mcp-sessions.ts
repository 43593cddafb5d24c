import { createHash, randomBytes } from 'node:crypto';
import { applySessionChange, parseClientSession, type McpClientSession, type McpSessionChange } from '@gatehouse/mcp';
import { LockTimeoutError, withRedisLock } from '@gatehouse/coordination';
import type { Redis } from 'ioredis';

/** Who a session answers to: the token's user and client, at one server. */
export interface McpSessionOwner {
  userId: string;
  clientId: string;
  /** The endpoint URL; a session id never works at another server. */
  resource: string;
}

interface StoredSession {
  owner: McpSessionOwner;
  client: McpClientSession;
}

/**
 * Longest a request waits for a session's record to be read, created or deleted before the client is told to try
 * again (503): while Redis is down its commands wait for it, and a client held for the outage is worse off.
 */
export const SESSION_STORE_WAIT_MS = 3_000;

const IDLE_SECONDS = 24 * 3600;
/** Longest a session read is answered from memory (each read from Redis also extends the idle expiry). */
const REMEMBER_MS = 60_000;
/** Most session JSON kept in memory per instance, in characters (sessions are up to 16 KiB; most well under 1 KiB). */
const MAX_REMEMBERED_BYTES = 8 * 1024 * 1024;
/** What a client may declare at initialize (capabilities, client info) and keep for a day. */
const MAX_SESSION_BYTES = 16 * 1024;

/**
 * MCP sessions in Redis, so any api instance serves any request of a session. Ids are 256-bit CSPRNG values and
 * only their SHA-256 is stored; a session answers only to the user, client and server that created it, and is
 * gone (404) once the client deletes it or it idles out.
 *
 * With a `subscriber` connection, a session read is also kept in memory for up to a minute, so a client's next
 * request costs no Redis round trip: every change and deletion, on any instance, is published on
 * `<prefix>:mcp:session-changes` and drops the copy everywhere (here at once, elsewhere when the message
 * arrives); while the subscriber is not subscribed, nothing is kept.
 */
export class McpSessionStore {
  private readonly remembered = new Map<string, { stored: StoredSession; until: number; bytes: number }>();
  private rememberedBytes = 0;
  private readonly changes: string;
  private listening = false;
  /** Bumped whenever what is kept may have missed a change: a read that started before keeps nothing. */
  private epoch = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly subscriber?: Redis,
  ) {
    this.changes = `${prefix}:mcp:session-changes`;
    subscriber?.on('message', (channel: string, key: string) => {
      if (channel === this.changes) this.forget(key);
    });
    // Lost or reconnecting: changes published meanwhile are not heard. Back only once subscribed again.
    for (const event of ['close', 'end', 'reconnecting', 'error'])
      subscriber?.on(event, () => {
        this.listening = false;
        this.forgetAll();
      });
    subscriber?.on('ready', () => void this.listen());
  }

  /** Subscribes to the change channel (called at start and after every reconnect). */
  async listen(): Promise<void> {
    if (!this.subscriber) return;
    try {
      await this.subscriber.subscribe(this.changes);
      this.forgetAll();
      this.listening = true;
    } catch {
      this.listening = false;
    }
  }

  async close(): Promise<void> {
    this.listening = false;
    this.forgetAll();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private forget(key: string): void {
    this.drop(key);
    this.epoch += 1;
  }

  private forgetAll(): void {
    this.remembered.clear();
    this.rememberedBytes = 0;
    this.epoch += 1;
  }

  private drop(key: string): void {
    const kept = this.remembered.get(key);
    if (!kept) return;
    this.remembered.delete(key);
    this.rememberedBytes -= kept.bytes;
  }

  /** Drops the session's copy here and on every other instance. */
  private async announce(key: string): Promise<void> {
    this.forget(key);
    await this.redis.publish(this.changes, key);
  }

  private key(id: string): string {
    return `${this.prefix}:mcp:session:${createHash('sha256').update(id).digest('base64url')}`;
  }

  /**
   * Stores a new session; undefined when what the client declared is larger than a session may be (clients
   * cannot park arbitrary data in Redis for a day).
   */
  async create(owner: McpSessionOwner, client: McpClientSession): Promise<string | undefined> {
    const stored: StoredSession = {
      owner,
      client: {
        ...client,
        clientInfo: {
          name: client.clientInfo.name.slice(0, 200),
          version: client.clientInfo.version.slice(0, 100),
        },
      },
    };
    let value: string;
    try {
      value = JSON.stringify(stored);
    } catch {
      // Capabilities nested too deep to serialise (a client may nest `experimental` values as it likes): refused as
      // too large, not taken for a store that is down.
      return undefined;
    }
    if (Buffer.byteLength(value) > MAX_SESSION_BYTES) return undefined;
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(id), value, 'EX', IDLE_SECONDS);
    return id;
  }

  /**
   * Reads session `id`, if it exists, extending its idle expiry. It can be read before the caller knows who asks
   * (the MCP endpoint reads it while it checks the token): the answer gives the session only to its owner.
   */
  async read(id: string): Promise<((owner: McpSessionOwner) => McpClientSession | undefined) | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = this.key(id);
    const stored = await this.stored(key);
    if (!stored) return undefined;
    return (owner) =>
      stored.owner?.userId === owner.userId &&
      stored.owner.clientId === owner.clientId &&
      stored.owner.resource === owner.resource
        ? parseClientSession(stored.client)
        : undefined;
  }

  /** The stored session: remembered, or read from Redis (extending its idle expiry) and remembered. */
  private async stored(key: string): Promise<StoredSession | undefined> {
    const kept = this.listening ? this.remembered.get(key) : undefined;
    if (kept && kept.until > Date.now()) return kept.stored;
    const epoch = this.epoch;
    const raw = await this.redis.getex(key, 'EX', IDLE_SECONDS);
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as StoredSession;
    // Not if a change may have been announced while it was read: the read may predate it.
    if (this.listening && epoch === this.epoch) {
      this.drop(key);
      // Oldest first, until this one fits.
      for (const oldest of this.remembered.keys()) {
        if (this.rememberedBytes + raw.length <= MAX_REMEMBERED_BYTES) break;
        this.drop(oldest);
      }
      this.remembered.set(key, { stored, until: Date.now() + REMEMBER_MS, bytes: raw.length });
      this.rememberedBytes += raw.length;
    }
    return stored;
  }

  /**
   * Applies a change (log level, subscriptions) under a short per-session lock, so concurrent requests of one
   * session cannot lose each other's changes. (WATCH would not do: it belongs to a connection, and this one is
   * shared by every request of the process.)
   */
  async change(id: string, change: McpSessionChange): Promise<void> {
    const key = this.key(id);
    try {
      await withRedisLock(this.redis, `${key}:lock`, { leaseMs: 2_000, waitMs: 1_000 }, async () => {
        const raw = await this.redis.get(key);
        if (!raw) return;
        const stored = JSON.parse(raw) as StoredSession;
        const next: StoredSession = { ...stored, client: applySessionChange(stored.client, change) };
        await this.redis.set(key, JSON.stringify(next), 'KEEPTTL');
        await this.announce(key);
      });
    } catch (error) {
      if (error instanceof LockTimeoutError) throw new Error('MCP session is locked by a concurrent change');
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const key = this.key(id);
    const deleted = (await this.redis.del(key)) > 0;
    await this.announce(key);
    return deleted;
  }
}
