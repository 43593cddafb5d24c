import { clientAddressKey, RequestBudget } from '@gatehouse/identity';
import type { Redis } from 'ioredis';

/**
 * A budget of refused bearer tokens per client address (IPv6: per /64) and minute, for the MCP endpoints: every
 * made-up token costs a database read, so an address that keeps presenting them is answered 429 for a while without
 * any. Counted in Redis (every instance shares the count) only when a token is refused; the refusal itself is
 * remembered here, so an address in good standing costs nothing extra.
 */
export class RefusedTokenBudget {
  private readonly budget: RequestBudget;
  /** Address key → until when (epoch ms) it is refused. */
  private readonly blocked = new Map<string, number>();

  constructor(redis: Redis, options: { prefix: string; perMinute: number }) {
    this.budget = new RequestBudget(redis, {
      prefix: options.prefix,
      name: 'mcp:refused-tokens',
      points: options.perMinute,
      durationSeconds: 60,
    });
  }

  /** Seconds until `ip` may present a token again, or undefined when it may now. */
  waitFor(ip: string): number | undefined {
    const key = clientAddressKey(ip);
    const until = this.blocked.get(key);
    if (until === undefined) return undefined;
    if (until <= Date.now()) {
      this.blocked.delete(key);
      return undefined;
    }
    return Math.max(1, Math.ceil((until - Date.now()) / 1000));
  }

  /** Counts a refused token from `ip`; once the budget is spent the address waits out the rest of the minute. */
  async refused(ip: string): Promise<void> {
    const wait = await this.budget.take(ip);
    if (wait === undefined) return;
    if (this.blocked.size >= 10_000) this.blocked.clear();
    this.blocked.set(clientAddressKey(ip), Date.now() + wait * 1000);
  }
}
