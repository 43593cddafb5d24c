import { randomUUID } from 'node:crypto';
import { scratchRedis } from '@gatehouse/testing';
import { ConnectStateStore } from '../src/index.js';

const scratch = scratchRedis('connect-state');
const { redis, prefix } = scratch;
const flow = {
  tenantId: randomUUID(),
  tenantSlug: 'acme',
  userId: randomUUID(),
  providerId: 'demo',
  scopes: ['notes:read'],
  codeVerifier: 'v'.repeat(64),
};

afterAll(() => scratch.close());

describe('ConnectStateStore', () => {
  it('hands a state out once; later uses are replays, and Redis never holds the state itself', async () => {
    const store = new ConnectStateStore(redis, { prefix, ttlSeconds: 600 });
    const { state, expiresAt } = await store.create(flow);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 590_000);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.some((key) => key.includes(state))).toBe(false);
    expect(await store.consume(state)).toEqual({ kind: 'valid', state: { ...flow, expiresAt: expiresAt.getTime() } });
    expect((await store.consume(state)).kind).toBe('replayed');
  });

  it('lets exactly one of many concurrent callbacks through', async () => {
    const store = new ConnectStateStore(redis, { prefix, ttlSeconds: 600 });
    const { state } = await store.create(flow);
    const results = await Promise.all(Array.from({ length: 25 }, () => store.consume(state)));
    expect(results.filter((result) => result.kind === 'valid')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'replayed')).toHaveLength(24);
  });

  it('reports an expired state as expired (kept a while as evidence), and unknown ones as unknown', async () => {
    const store = new ConnectStateStore(redis, { prefix, ttlSeconds: 1 });
    const { state } = await store.create(flow);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await store.consume(state)).kind).toBe('expired');
    expect(await store.consume('A'.repeat(43))).toEqual({ kind: 'unknown' });
    expect(await store.consume('not a state')).toEqual({ kind: 'unknown' });
  });
});
