import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Session {
  userId: string;
  /** Synchronizer token: state-changing console requests must echo it in `x-csrf-token`. */
  csrfToken: string;
  createdAt: number;
}

export interface SessionOptions {
  /** Redis key namespace (QUEUE_PREFIX). */
  prefix: string;
  /** Idle timeout: a session not used for this long ends. */
  idleSeconds?: number;
  /** Absolute lifetime, however active. */
  maxAgeSeconds?: number;
}

/**
 * Server-side console sessions in Redis, so any api instance serves any request. The cookie carries a random
 * 256-bit id; Redis stores only its SHA-256, so a Redis dump cannot be replayed as cookies.
 */
export class SessionStore {
  private readonly idle: number;
  private readonly maxAge: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: SessionOptions,
  ) {
    this.idle = options.idleSeconds ?? 24 * 3600;
    this.maxAge = options.maxAgeSeconds ?? 7 * 24 * 3600;
  }

  private key(id: string): string {
    return `${this.options.prefix}:session:${createHash('sha256').update(id).digest('hex')}`;
  }

  async create(userId: string): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const session: Session = { userId, csrfToken: randomBytes(32).toString('base64url'), createdAt: Date.now() };
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', this.idle);
    return { id, session };
  }

  /** The session for a cookie value, refreshing its idle timer; null when unknown, expired or malformed. */
  async get(id: string | undefined): Promise<Session | null> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    const remainingLife = Math.floor((session.createdAt + this.maxAge * 1000 - Date.now()) / 1000);
    if (remainingLife <= 0) {
      await this.redis.del(this.key(id));
      return null;
    }
    await this.redis.expire(this.key(id), Math.min(this.idle, remainingLife));
    return session;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.key(id));
  }
}

export function csrfTokenMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
