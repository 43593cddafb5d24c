import { scratchRedis, testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { McpSessionStore } from '../src/mcp/mcp-sessions.js';

// Real Redis: two stores are two api instances. A session read is remembered, and every change or deletion on
// either instance reaches the other's memory.
const scratch = scratchRedis('sessions');
const { redis, prefix } = scratch;
const subscriberA = new Redis(testRedisUrl());
// Reconnects only after 1.5 s, so the test can look at it while its subscription is down.
const subscriberB = new Redis(testRedisUrl(), {
  connectionName: `sessions-b-${process.pid}`,
  retryStrategy: () => 1_500,
});
const a = new McpSessionStore(redis, prefix, subscriberA);
const b = new McpSessionStore(redis, prefix, subscriberB);
const owner = { userId: 'u1', clientId: 'c1', resource: 'https://gatehouse.test/t/acme/mcp/notes' };
const client = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'test', version: '1' },
  subscriptions: [],
};

beforeAll(async () => {
  await Promise.all([a.listen(), b.listen()]);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await scratch.close();
});

/** The session as `store` answers it to its owner, or undefined. */
async function seen(store: McpSessionStore, id: string) {
  return (await store.read(id))?.(owner);
}

/** Polls until `check` holds; fails after `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Deletes every stored session behind the stores' back (no announcement), as a missed change would. */
async function dropBehindTheirBack(): Promise<void> {
  const keys = await redis.keys(`${prefix}:mcp:session:*`);
  if (keys.length > 0) await redis.del(...keys);
}

it('answers a session again from memory, not from Redis', async () => {
  const id = (await a.create(owner, client))!;
  expect(await seen(b, id)).toMatchObject({ clientInfo: { name: 'test' } });
  // Gone from Redis behind the stores' back (no announcement): b still answers from memory.
  await dropBehindTheirBack();
  expect(await seen(b, id)).toMatchObject({ clientInfo: { name: 'test' } });
  // a never read it: it asks Redis.
  expect(await seen(a, id)).toBeUndefined();
});

it("a deletion or change on one instance reaches the other's memory", async () => {
  const id = (await a.create(owner, client))!;
  await seen(b, id);
  await b.change(id, { type: 'logging_level', level: 'error' });
  await within(1_000, async () => (await seen(b, id))?.loggingLevel === 'error');
  // b remembers the changed session; a changes it again, and b hears of it.
  await a.change(id, { type: 'logging_level', level: 'debug' });
  await within(1_000, async () => (await seen(b, id))?.loggingLevel === 'debug');
  expect(await a.delete(id)).toBe(true);
  await within(1_000, async () => (await seen(b, id)) === undefined);
  // The instance that deletes forgets at once.
  const other = (await a.create(owner, client))!;
  await seen(a, other);
  await a.delete(other);
  expect(await seen(a, other)).toBeUndefined();
});

it('refuses capabilities too large, or nested too deep to store, by returning no session', async () => {
  const large = { ...client, capabilities: { experimental: { padding: { text: 'x'.repeat(20_000) } } } };
  expect(await a.create(owner, large)).toBeUndefined();
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 20_000; i++) deep = { d: deep };
  expect(await a.create(owner, { ...client, capabilities: { experimental: { deep } } })).toBeUndefined();
});

it('keeps at most 8 MiB of sessions in memory, dropping the oldest first', async () => {
  // 600 sessions of ~15 KiB each (a client may declare up to 16 KiB): ~9 MiB, more than is kept.
  const large = { ...client, capabilities: { experimental: { padding: { text: 'x'.repeat(15_000) } } } };
  const ids: string[] = [];
  for (let i = 0; i < 600; i++) ids.push((await a.create(owner, large))!);
  for (const id of ids) await seen(b, id);
  await dropBehindTheirBack();
  const kept = await Promise.all(ids.map(async (id) => (await seen(b, id)) !== undefined));
  expect(kept[0]).toBe(false);
  expect(kept.at(-1)).toBe(true);
  const count = kept.filter(Boolean).length;
  expect(count).toBeGreaterThan(450);
  expect(count).toBeLessThan(600);
});

it('remembers nothing while its subscription is lost, and again once it is back', async () => {
  const id = (await a.create(owner, client))!;
  await seen(b, id);
  const clients = (await redis.client('LIST')) as string;
  const line = clients.split('\n').find((entry) => entry.includes(`name=sessions-b-${process.pid} `));
  expect(line).toBeDefined();
  await redis.client('KILL', 'ID', /(?:^| )id=(\d+)/.exec(line!)![1]!);
  // A change no one hears while the subscription is down (here: the session gone from Redis behind its back) is
  // not answered from memory.
  await dropBehindTheirBack();
  await within(500, async () => (await seen(b, id)) === undefined);
  // Subscribed again: remembered again.
  await within(5_000, async () => {
    const next = (await a.create(owner, client))!;
    await seen(b, next);
    await dropBehindTheirBack();
    return (await seen(b, next)) !== undefined;
  });
});
