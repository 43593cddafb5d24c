import { randomUUID } from 'node:crypto';
import { scratchRedis } from '@gatehouse/testing';
import { ToolCallLimiter } from '../src/index.js';

const scratch = scratchRedis('policy');
const { redis, prefix } = scratch;

afterAll(() => scratch.close());

const defaults = { perTenant: 10, perUser: 5, perTool: 3, perProvider: 8 };
const call = (tenantId: string, userId = 'u1', tool = 'demo.list_notes') => ({
  tenantId,
  userId,
  tool,
  provider: 'demo',
});

describe('ToolCallLimiter', () => {
  it('refuses past the narrowest limit with the seconds until it frees up', async () => {
    const limiter = new ToolCallLimiter(redis, prefix, defaults);
    const tenant = randomUUID();
    for (let i = 0; i < 3; i++) expect(await limiter.consume(call(tenant))).toEqual({ allowed: true });
    const refused = await limiter.consume(call(tenant));
    expect(refused).toMatchObject({ allowed: false, limit: 'perTool' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Another tool of the same person still runs, until the person's own limit.
    expect(await limiter.consume(call(tenant, 'u1', 'demo.get_note'))).toEqual({ allowed: true });
    expect(await limiter.consume(call(tenant, 'u1', 'demo.get_note'))).toEqual({ allowed: true });
    expect(await limiter.consume(call(tenant, 'u1', 'demo.create_note'))).toMatchObject({
      allowed: false,
      limit: 'perUser',
    });
  });

  it('says to come back when every refusing limit has room again, not just the narrowest', async () => {
    const limiter = new ToolCallLimiter(redis, prefix, defaults);
    const tenant = randomUUID();
    // The person's tool limit was spent in a window that ends in 20 s; the tenant's, in one that began later.
    const { userId, tool } = call(tenant);
    await redis.set(`${prefix}:tool-limit:perTool:${tenant}:${userId}:${tool}`, 3, 'PX', 20_000);
    await redis.set(`${prefix}:tool-limit:perTenant:${tenant}`, 10, 'PX', 55_000);
    const refused = await limiter.consume(call(tenant));
    expect(refused).toMatchObject({ allowed: false, limit: 'perTool' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(54);
  });

  it('charges nothing wider for concurrent refused calls (the wider limits get their points back)', async () => {
    const limiter = new ToolCallLimiter(redis, prefix, { ...defaults, perProvider: 100 });
    const tenant = randomUUID();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.consume(call(tenant))));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
    expect(decisions.filter((decision) => !decision.allowed && decision.limit === 'perTool')).toHaveLength(17);
    // Only the 3 allowed calls count against the tenant's 10: 7 more by other people fit, the 8th does not.
    for (let i = 0; i < 5; i++)
      expect(await limiter.consume(call(tenant, 'u2', `demo.t${i}`))).toEqual({ allowed: true });
    for (let i = 0; i < 2; i++)
      expect(await limiter.consume(call(tenant, 'u3', `demo.t${i}`))).toEqual({ allowed: true });
    expect(await limiter.consume(call(tenant, 'u4'))).toMatchObject({ allowed: false, limit: 'perTenant' });
  });

  it("keeps tenants apart and applies a tenant's overrides", async () => {
    // An operator letting tenants raise limits up to 100.
    const limiter = new ToolCallLimiter(redis, prefix, defaults, 100);
    const [noisy, quiet] = [randomUUID(), randomUUID()];
    for (let user = 0; user < 4; user++)
      for (let i = 0; i < 2; i++) await limiter.consume(call(noisy, `u${user}`), { perTenant: 8, perProvider: 100 });
    expect(await limiter.consume(call(noisy, 'u9'), { perTenant: 8, perProvider: 100 })).toMatchObject({
      allowed: false,
      limit: 'perTenant',
    });
    expect(await limiter.consume(call(quiet))).toEqual({ allowed: true });
  });

  it("caps each override at the operator's ceiling or the limit's own default, whichever is higher", async () => {
    const limiter = new ToolCallLimiter(redis, prefix, { ...defaults, perTenant: 50 }, 4);
    expect(limiter.ceilings).toEqual({ perTenant: 50, perUser: 5, perTool: 4, perProvider: 8 });
    expect(limiter.limitsFor({ perTool: 40, perUser: 2 })).toEqual({
      perTenant: 50,
      perUser: 2,
      perTool: 4,
      perProvider: 8,
    });
    const tenant = randomUUID();
    for (let i = 0; i < 4; i++) expect(await limiter.consume(call(tenant), { perTool: 40 })).toEqual({ allowed: true });
    expect(await limiter.consume(call(tenant), { perTool: 40 })).toMatchObject({ allowed: false, limit: 'perTool' });
    // Unset, no limit can be raised past its default: a tenant may only lower its limits.
    const strict = new ToolCallLimiter(redis, prefix, defaults);
    expect(strict.ceilings).toEqual(defaults);
    expect(strict.limitsFor({ perTenant: 1000, perUser: 1, perProvider: 100 })).toEqual({ ...defaults, perUser: 1 });
  });
});
