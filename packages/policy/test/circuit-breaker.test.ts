import { randomUUID } from 'node:crypto';
import { scratchRedis } from '@gatehouse/testing';
import { ProviderCircuitBreaker } from '../src/index.js';

const scratch = scratchRedis('circuit');
const { redis, prefix } = scratch;

afterAll(() => scratch.close());

describe('ProviderCircuitBreaker', () => {
  it('opens after consecutive failures, for its tenant only, and closes again after openSeconds', async () => {
    const breaker = new ProviderCircuitBreaker(redis, prefix, {
      failureThreshold: 3,
      windowSeconds: 30,
      openSeconds: 2,
    });
    const [tenant, other] = [randomUUID(), randomUUID()];
    expect(await breaker.recordFailure(tenant, 'demo', randomUUID())).toBe(false);
    expect(await breaker.recordFailure(tenant, 'demo', randomUUID())).toBe(false);
    expect(await breaker.state(tenant, 'demo', randomUUID())).toMatchObject({ open: false });
    expect(await breaker.recordFailure(tenant, 'demo', randomUUID())).toBe(true);
    const open = await breaker.state(tenant, 'demo', randomUUID());
    expect(open.open).toBe(true);
    expect((open as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((open as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(2);
    expect(await breaker.state(other, 'demo', randomUUID())).toMatchObject({ open: false });
    expect(await breaker.state(tenant, 'github', randomUUID())).toMatchObject({ open: false });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Half-open: one call is let through (the probe); its success closes the circuit.
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: true, probe: true });
    await breaker.recordSuccess(tenant, 'demo');
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: false });
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: false });
  });

  it('half-open lets exactly one of many concurrent calls through; its failure opens the circuit again at once', async () => {
    const breaker = new ProviderCircuitBreaker(redis, prefix, {
      failureThreshold: 2,
      windowSeconds: 30,
      openSeconds: 1,
      probeSeconds: 30,
    });
    const tenant = randomUUID();
    await breaker.recordFailure(tenant, 'demo', randomUUID());
    expect(await breaker.recordFailure(tenant, 'demo', randomUUID())).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const claimants = Array.from({ length: 50 }, () => randomUUID());
    const states = await Promise.all(claimants.map((claimant) => breaker.state(tenant, 'demo', claimant)));
    expect(states.filter((state) => !state.open)).toHaveLength(1);
    const probe = claimants[states.findIndex((state) => !state.open)]!;
    for (const state of states.filter((candidate) => candidate.open))
      expect((state as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(1);
    // The probe fails: open again, for openSeconds, with no new count of failures needed.
    expect(await breaker.recordFailure(tenant, 'demo', probe)).toBe(true);
    expect(await breaker.state(tenant, 'demo', randomUUID())).toMatchObject({ open: true, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const [first, second] = [randomUUID(), randomUUID()];
    expect(await breaker.state(tenant, 'demo', first)).toEqual({ open: false, failing: true, probe: true });
    // A probe that never reached the provider (refused by a rate limit, say) hands the try to the next call.
    expect(await breaker.state(tenant, 'demo', randomUUID())).toMatchObject({ open: true });
    await breaker.releaseProbe(tenant, 'demo', first);
    expect(await breaker.state(tenant, 'demo', second)).toEqual({ open: false, failing: true, probe: true });
    // Only the holder's release frees it: a call that no longer holds it (its release came late) changes nothing.
    await breaker.releaseProbe(tenant, 'demo', first);
    expect(await breaker.state(tenant, 'demo', randomUUID())).toMatchObject({ open: true });
    await breaker.releaseProbe(tenant, 'demo', second);
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: true, probe: true });
  });

  it('a success in between resets the count', async () => {
    const breaker = new ProviderCircuitBreaker(redis, prefix, {
      failureThreshold: 2,
      windowSeconds: 30,
      openSeconds: 30,
    });
    const tenant = randomUUID();
    await breaker.recordFailure(tenant, 'demo', randomUUID());
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: true });
    await breaker.recordSuccess(tenant, 'demo');
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: false });
    expect(await breaker.recordFailure(tenant, 'demo', randomUUID())).toBe(false);
    expect(await breaker.state(tenant, 'demo', randomUUID())).toMatchObject({ open: false });
  });

  it("on probation only the probe's failure counts: a late one neither re-opens the circuit nor frees the probe", async () => {
    const breaker = new ProviderCircuitBreaker(redis, prefix, {
      failureThreshold: 2,
      windowSeconds: 30,
      openSeconds: 1,
    });
    const tenant = randomUUID();
    const [slow, probe] = [randomUUID(), randomUUID()];
    await breaker.recordFailure(tenant, 'demo', randomUUID());
    expect(await breaker.recordFailure(tenant, 'demo', randomUUID())).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // A probe held as long as its call may wait (retries included), beyond probeSeconds.
    expect(await breaker.state(tenant, 'demo', probe, 90_000)).toEqual({ open: false, failing: true, probe: true });
    expect(await redis.pttl(`${prefix}:circuit:${tenant}:demo:probe`)).toBeGreaterThan(60_000);
    // A call that started before the circuit opened fails late: nothing changes, the probe is still the only try.
    expect(await breaker.recordFailure(tenant, 'demo', slow)).toBe(false);
    const waiting = await breaker.state(tenant, 'demo', randomUUID());
    expect(waiting).toMatchObject({ open: true });
    // Told to come back within probeSeconds, not after the probe's whole hold.
    expect((waiting as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await redis.pttl(`${prefix}:circuit:${tenant}:demo:probe`)).toBeGreaterThan(60_000);
    // The probe succeeds: closed at once, not held open by the late failure.
    await breaker.recordSuccess(tenant, 'demo');
    expect(await breaker.state(tenant, 'demo', randomUUID())).toEqual({ open: false, failing: false });
  });
});
