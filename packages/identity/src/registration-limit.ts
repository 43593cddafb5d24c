import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Abuse limit of open dynamic client registration (RFC 7591): a number of registrations per client IP and hour,
 * counted in Redis so every api instance shares the budget.
 */
export class RegistrationLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, options: { prefix: string; perHour: number }) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.prefix}:oauth:registrations`,
      points: options.perHour,
      duration: 3600,
    });
  }

  /** Takes one registration from the IP's budget; the seconds to wait when it is spent, else undefined. */
  async take(ip: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(ip);
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  }
}
