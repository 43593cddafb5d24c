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

const IDLE_SECONDS = 24 * 3600;
/** What a client may declare at initialize (capabilities, client info) and keep for a day. */
const MAX_SESSION_BYTES = 16 * 1024;

/**
 * MCP sessions in Redis, so any api instance serves any request of a session. Ids are 256-bit CSPRNG values and
 * only their SHA-256 is stored; a session answers only to the user, client and server that created it, and is
 * gone (404) once the client deletes it or it idles out.
 */
export class McpSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

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
    const value = JSON.stringify(stored);
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
    const raw = await this.redis.getex(this.key(id), 'EX', IDLE_SECONDS);
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as StoredSession;
    return (owner) =>
      stored.owner?.userId === owner.userId &&
      stored.owner.clientId === owner.clientId &&
      stored.owner.resource === owner.resource
        ? parseClientSession(stored.client)
        : undefined;
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
      });
    } catch (error) {
      if (error instanceof LockTimeoutError) throw new Error('MCP session is locked by a concurrent change');
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(this.key(id))) > 0;
  }
}
