import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What a connect flow remembers between the redirect to the provider and its callback. */
export interface ConnectState {
  tenantId: string;
  tenantSlug: string;
  userId: string;
  providerId: string;
  /** Exactly the scopes asked for: what was granted when the token response does not say. */
  scopes: string[];
  /** The digest of the provider app's settings the flow started under: the callback sends the code only there. */
  settings?: string;
  /** The PKCE code verifier, when a challenge was sent. */
  codeVerifier?: string;
  /** A path of the console (or the api) to return to afterwards. */
  returnTo?: string;
  /** The MCP URL elicitation this flow answers (its client is told when the flow completes). */
  elicitationId?: string;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
}

export type ConsumedState =
  | { kind: 'unknown' }
  | { kind: 'valid'; state: ConnectState }
  | { kind: 'expired'; state: ConnectState }
  | { kind: 'replayed'; state: ConnectState };

/** After its deadline a state is still kept this long, only so a late or replayed callback is audited as such. */
const EVIDENCE_SECONDS = 3600;

// Marks the state used and returns it with the number of uses, atomically: exactly one callback sees 1.
const CONSUME = `
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return false end
local uses = redis.call('HINCRBY', KEYS[1], 'uses', 1)
return {data, uses}`;

/**
 * Server-side `state` of connect flows, in Redis so any api instance serves the callback. The `state` parameter is
 * 256 random bits; Redis keeps only its SHA-256 as the key. Single use, enforced atomically.
 */
export class ConnectStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; ttlSeconds: number },
  ) {}

  private key(state: string): string {
    return `${this.options.prefix}:connect-state:${createHash('sha256').update(state).digest('hex')}`;
  }

  async create(state: Omit<ConnectState, 'expiresAt'>): Promise<{ state: string; expiresAt: Date }> {
    const value = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + this.options.ttlSeconds * 1000;
    const key = this.key(value);
    await this.redis
      .multi()
      .hset(key, 'data', JSON.stringify({ ...state, expiresAt } satisfies ConnectState))
      .expire(key, this.options.ttlSeconds + EVIDENCE_SECONDS)
      .exec();
    return { state: value, expiresAt: new Date(expiresAt) };
  }

  async consume(state: string): Promise<ConsumedState> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(state)) return { kind: 'unknown' };
    const result = (await this.redis.eval(CONSUME, 1, this.key(state))) as [string, number] | null;
    if (!result) return { kind: 'unknown' };
    const saved = JSON.parse(result[0]) as ConnectState;
    if (Number(result[1]) > 1) return { kind: 'replayed', state: saved };
    if (Date.now() > saved.expiresAt) return { kind: 'expired', state: saved };
    return { kind: 'valid', state: saved };
  }
}
