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

const ORDER: readonly LimitName[] = ['perTool', 'perUser', 'perProvider', 'perTenant'];

/**
 * Tool-call rate limits in Redis (rate-limiter-flexible, fixed one-minute windows), shared by every api instance.
 * The narrowest limit is charged first and a refused call charges nothing further, so one person hammering one tool
 * does not use up the whole tenant's budget. Every key includes the tenant: one tenant's traffic never touches
 * another's counters.
 */
export class ToolCallLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaults: ToolCallLimits,
  ) {}

  private limiter(name: LimitName, points: number): RateLimiterRedis {
    const id = `${name}:${points}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
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

  /** Effective limits: the tenant's overrides over the deployment's defaults. */
  limitsFor(overrides: Partial<ToolCallLimits>): ToolCallLimits {
    return { ...this.defaults, ...overrides };
  }

  async consume(key: ToolCallKey, overrides: Partial<ToolCallLimits> = {}): Promise<LimitDecision> {
    const limits = this.limitsFor(overrides);
    const keys: Record<LimitName, string> = {
      perTenant: key.tenantId,
      perUser: `${key.tenantId}:${key.userId}`,
      perTool: `${key.tenantId}:${key.userId}:${key.tool}`,
      perProvider: `${key.tenantId}:${key.provider}`,
    };
    for (const name of ORDER) {
      try {
        await this.limiter(name, limits[name]).consume(keys[name]);
      } catch (error) {
        if (error instanceof RateLimiterRes)
          return { allowed: false, limit: name, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
        throw error;
      }
    }
    return { allowed: true };
  }
}
