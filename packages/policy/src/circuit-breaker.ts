import type { Redis } from 'ioredis';

export interface CircuitBreakerOptions {
  /** Consecutive provider failures (within `windowSeconds` of each other) that open the circuit. */
  failureThreshold: number;
  windowSeconds: number;
  /** How long an open circuit refuses calls before letting one try again. */
  openSeconds: number;
  /** After `openSeconds`, how long the one call let through (the probe) has before another may try (default 60). */
  probeSeconds?: number;
}

export type CircuitState =
  /**
   * `failing`: failures are being counted (a success should reset them). `probe`: this call is the one a half-open
   * circuit lets through — its success closes the circuit, its failure opens it again, and a call that ends with
   * neither (refused before reaching the provider) must `releaseProbe` so that the next call may try. The probe is
   * held in the name of the `claimant` given to `state`; only that claimant's release frees it.
   */
  { open: false; failing: boolean; probe?: true } | { open: true; retryAfterSeconds: number };

/** How long an opened circuit stays on probation (half-open once `openSeconds` pass) if no call comes. */
const PROBATION_SECONDS = 24 * 3600;

// Counts a failure. At the threshold it opens the circuit, which then stays on probation until a success. On
// probation only the probe's own failure counts: it opens the circuit again (and renews the probation). Any other
// failure then is a call's that started before the circuit opened and ended late — it says nothing new, and must
// neither re-open the circuit nor free the probe under way (which would let a second probe through).
const FAILURE = `
if redis.call('EXISTS', KEYS[3]) == 1 then
  if redis.call('GET', KEYS[4]) ~= ARGV[5] then return 0 end
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  redis.call('DEL', KEYS[1], KEYS[4])
  return 1
end
local failures = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
if failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

// Frees the probe only for the call that holds it: a late release (its call finished long after the probe's time
// ran out) must not free the next call's probe.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A circuit breaker per tenant and provider, in Redis so every api instance agrees: after `failureThreshold`
 * provider failures in a row (5xx, timeouts, unreachable) the tenant's calls to that provider are refused at once for
 * `openSeconds`, instead of queueing more work that hammers a provider already in trouble. Then it is half-open: one
 * call (the probe) goes through while the others are still refused; its success closes the circuit, its failure
 * opens it again. A success resets the count. Keys start with the tenant: one tenant's failing provider app does not
 * affect another tenant.
 */
export class ProviderCircuitBreaker {
  private readonly probeMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    this.probeMs = (options.probeSeconds ?? 60) * 1000;
  }

  private keys(tenantId: string, provider: string) {
    const base = `${this.prefix}:circuit:${tenantId}:${provider}`;
    return {
      failures: `${base}:failures`,
      open: `${base}:open`,
      probation: `${base}:probation`,
      probe: `${base}:probe`,
    };
  }

  /**
   * `claimant` (unique per call) names the call that holds the probe when this answers `probe: true`. A caller that
   * gave up waiting for this answer may still hold it: releasing in its name is safe either way.
   */
  async state(tenantId: string, provider: string, claimant: string, holdMs?: number): Promise<CircuitState> {
    const keys = this.keys(tenantId, provider);
    // Three reads, one round trip (the connection sends a turn's commands in one write).
    const [ttl, failing, probation] = await Promise.all([
      this.redis.pttl(keys.open),
      this.redis.exists(keys.failures),
      this.redis.exists(keys.probation),
    ]);
    if (ttl > 0) return { open: true, retryAfterSeconds: Math.ceil(ttl / 1000) };
    if (probation === 0) return { open: false, failing: failing > 0 };
    // Half-open: the first call to claim the probe goes through; the others wait for its outcome.
    // Held as long as the probe may take (`holdMs`: its call's whole wait, retries included), never less than
    // `probeSeconds`: a probe still running must not let a second one through.
    const hold = Math.max(this.probeMs, holdMs ?? 0);
    if ((await this.redis.set(keys.probe, claimant, 'PX', hold, 'NX')) === 'OK')
      return { open: false, failing: true, probe: true };
    // Not the probe's whole hold (it may be minutes, and it usually answers in moments): at most probeSeconds.
    const probing = Math.min(await this.redis.pttl(keys.probe), this.probeMs);
    return { open: true, retryAfterSeconds: Math.max(1, Math.ceil(probing / 1000)) };
  }

  /**
   * Returns true when this failure opened the circuit. `claimant`: the call that failed (as given to `state`) — on
   * probation only the probe's failure counts.
   */
  async recordFailure(tenantId: string, provider: string, claimant: string): Promise<boolean> {
    const keys = this.keys(tenantId, provider);
    const opened = await this.redis.eval(
      FAILURE,
      4,
      keys.failures,
      keys.open,
      keys.probation,
      keys.probe,
      this.options.windowSeconds,
      this.options.failureThreshold,
      this.options.openSeconds,
      PROBATION_SECONDS,
      claimant,
    );
    return opened === 1;
  }

  /**
   * The probe ended without telling whether the provider works (the call never reached it): the next call tries.
   * Frees it only if `claimant` still holds it.
   */
  async releaseProbe(tenantId: string, provider: string, claimant: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys(tenantId, provider).probe, claimant);
  }

  /** Resets the count, and closes a half-open circuit. */
  async recordSuccess(tenantId: string, provider: string): Promise<void> {
    const keys = this.keys(tenantId, provider);
    await this.redis.del(keys.failures, keys.probation, keys.probe);
  }
}
