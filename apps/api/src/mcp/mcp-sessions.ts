import { createHash, randomBytes } from 'node:crypto';
import { applySessionChange, parseClientSession, type McpClientSession, type McpSessionChange } from '@gatehouse/mcp';
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

  async create(owner: McpSessionOwner, client: McpClientSession): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const stored: StoredSession = { owner, client };
    await this.redis.set(this.key(id), JSON.stringify(stored), 'EX', IDLE_SECONDS);
    return id;
  }

  /** The session if it exists and belongs to this owner; each use extends its idle expiry. */
  async find(id: string, owner: McpSessionOwner): Promise<McpClientSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const raw = await this.redis.getex(this.key(id), 'EX', IDLE_SECONDS);
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as StoredSession;
    const same =
      stored.owner?.userId === owner.userId &&
      stored.owner.clientId === owner.clientId &&
      stored.owner.resource === owner.resource;
    return same ? parseClientSession(stored.client) : undefined;
  }

  /** Applies a change (log level, subscriptions) atomically against concurrent requests of the session. */
  async change(id: string, change: McpSessionChange): Promise<void> {
    const key = this.key(id);
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.redis.watch(key);
      const raw = await this.redis.get(key);
      if (!raw) {
        await this.redis.unwatch();
        return;
      }
      const stored = JSON.parse(raw) as StoredSession;
      const next: StoredSession = { ...stored, client: applySessionChange(stored.client, change) };
      const done = await this.redis.multi().set(key, JSON.stringify(next), 'EX', IDLE_SECONDS).exec();
      if (done) return;
    }
    throw new Error('MCP session changed concurrently too often');
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(this.key(id))) > 0;
  }
}
