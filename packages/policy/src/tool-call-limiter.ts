import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Calls per minute. */
export interface ToolCallLimits {
  /** Every call of the tenant. */
  perTenant: number;
  /** One person's calls in the tenant. */
  perUser: number;
  /** One person's calls of one tool. */
  perTool: number;
  /** The tenant's calls to one provider (shields the provider, and the tenant's standing there). */
  perProvider: number;
}

export type LimitName = keyof ToolCallLimits;

export interface ToolCallKey {
  tenantId: string;
  userId: string;
  tool: string;
  provider: string;
}

export type LimitDecision = { allowed: true } | { allowed: false; limit: LimitName; retryAfterSeconds: number };

/** Limiters kept at once (they are cheap to make again: no state of their own, the counters are in Redis). */
const MAX_LIMITERS = 1_000;

const ORDER: readonly LimitName[] = ['perTool', 'perUser', 'perProvider', 'perTenant'];

/**
 * Tool-call rate limits in Redis (rate-limiter-flexible, fixed one-minute windows), shared by every api instance.
 * A call refused by a narrow limit charges nothing wider (the limits are charged together and the wider ones refunded
 * when a narrower one refuses), so one person hammering one tool does not use up the whole tenant's budget. Every
 * key includes the tenant: one tenant's traffic never touches another's counters.
 */
export class ToolCallLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  /**
   * The most calls per minute a tenant may set each limit to: the operator's `ceiling` (TOOL_CALLS_PER_MINUTE_CEILING)
   * or the limit's own default, whichever is higher — so a tenant can always lower a limit, and raise one only as far
   * as the operator allows (unset: not at all). On a shared deployment no tenant can take Redis, the workers or a
   * provider's standing from the others. An override stored above its cap (the operator lowered it since) applies as
   * the cap.
   */
  readonly ceilings: ToolCallLimits;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaults: ToolCallLimits,
    ceiling?: number,
  ) {
    const cap = (name: LimitName) => Math.max(ceiling ?? 0, defaults[name]);
    this.ceilings = {
      perTenant: cap('perTenant'),
      perUser: cap('perUser'),
      perTool: cap('perTool'),
      perProvider: cap('perProvider'),
    };
  }

  private limiter(name: LimitName, points: number): RateLimiterRedis {
    const id = `${name}:${points}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      // One per limit and value in use; tenants' admins choose the values, so the map is kept from growing without end.
      if (this.limiters.size >= MAX_LIMITERS) this.limiters.clear();
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:tool-limit:${name}`,
        points,
        duration: 60,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Effective limits: the tenant's overrides (each at most its cap) over the deployment's defaults. */
  limitsFor(overrides: Partial<ToolCallLimits>): ToolCallLimits {
    const limits = { ...this.defaults };
    for (const name of ORDER) {
      const value = overrides[name];
      if (value !== undefined) limits[name] = Math.min(value, this.ceilings[name]);
    }
    return limits;
  }

  async consume(key: ToolCallKey, overrides: Partial<ToolCallLimits> = {}): Promise<LimitDecision> {
    const limits = this.limitsFor(overrides);
    const keys: Record<LimitName, string> = {
      perTenant: key.tenantId,
      perUser: `${key.tenantId}:${key.userId}`,
      perTool: `${key.tenantId}:${key.userId}:${key.tool}`,
      perProvider: `${key.tenantId}:${key.provider}`,
    };
    // All four are charged at once (one round trip: the connection sends a turn's commands in one write), then the outcome is made
    // what charging them one after another, narrowest first, would have left: when a limit refuses, the wider ones
    // behind it get their point back. Between the two, a wider counter is one too high for about a round trip.
    const charged = await Promise.allSettled(ORDER.map((name) => this.limiter(name, limits[name]).consume(keys[name])));
    const refused = charged.findIndex((outcome) => outcome.status === 'rejected');
    if (refused === -1) return { allowed: true };
    const wider = ORDER.slice(refused + 1);
    await Promise.all(wider.map((name) => this.limiter(name, limits[name]).reward(keys[name], 1)));
    // The refusal is the narrowest limit's (what charging them in turn would have hit first), but the call may come
    // back only once every limit that refused it has room again: a client retrying when told is not refused by a
    // wider one still spent. (A wider one refusing only for this moment's concurrent charges makes the wait longer
    // than needed, never shorter.)
    let waitMs = 0;
    for (const outcome of charged) {
      if (outcome.status !== 'rejected') continue;
      const error: unknown = outcome.reason;
      if (!(error instanceof RateLimiterRes)) throw error;
      waitMs = Math.max(waitMs, error.msBeforeNext);
    }
    return {
      allowed: false,
      limit: ORDER[refused]!,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }
}
