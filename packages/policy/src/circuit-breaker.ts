import type { Redis } from 'ioredis';

export interface CircuitBreakerOptions {
  /** Consecutive provider failures (within `windowSeconds` of each other) that open the circuit. */
  failureThreshold: number;
  windowSeconds: number;
  /** How long an open circuit refuses calls before letting them try again. */
  openSeconds: number;
}

export type CircuitState =
  /** `failing`: failures are being counted (a success should reset them). */
  { open: false; failing: boolean } | { open: true; retryAfterSeconds: number };

// Counts a failure; at the threshold opens the circuit and starts counting afresh.
const FAILURE = `
local failures = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
if failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/**
 * A circuit breaker per tenant and provider, in Redis so every api instance agrees: after `failureThreshold`
 * provider failures in a row (5xx, timeouts, unreachable) the tenant's calls to that provider are refused at once for
 * `openSeconds`, instead of queueing more work that hammers a provider already in trouble. A success resets the count.
 * Keys start with the tenant: one tenant's failing provider app does not affect another tenant.
 */
export class ProviderCircuitBreaker {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: CircuitBreakerOptions,
  ) {}

  private keys(tenantId: string, provider: string): [string, string] {
    const base = `${this.prefix}:circuit:${tenantId}:${provider}`;
    return [`${base}:failures`, `${base}:open`];
  }

  async state(tenantId: string, provider: string): Promise<CircuitState> {
    const [failures, open] = this.keys(tenantId, provider);
    // Two reads, one round trip (sent together on an auto-pipelined connection).
    const [ttl, failing] = await Promise.all([this.redis.pttl(open), this.redis.exists(failures)]);
    return ttl > 0 ? { open: true, retryAfterSeconds: Math.ceil(ttl / 1000) } : { open: false, failing: failing > 0 };
  }

  /** Returns true when this failure opened the circuit. */
  async recordFailure(tenantId: string, provider: string): Promise<boolean> {
    const [failures, open] = this.keys(tenantId, provider);
    const opened = await this.redis.eval(
      FAILURE,
      2,
      failures,
      open,
      this.options.windowSeconds,
      this.options.failureThreshold,
      this.options.openSeconds,
    );
    return opened === 1;
  }

  async recordSuccess(tenantId: string, provider: string): Promise<void> {
    await this.redis.del(this.keys(tenantId, provider)[0]);
  }
}
