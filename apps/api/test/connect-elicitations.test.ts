import { randomUUID } from 'node:crypto';
import { scratchRedis } from '@gatehouse/testing';
import { ConnectElicitations } from '../src/connections/connect-elicitations.js';

// Real Redis: how long a connect link lives, and that completing its flow uses it up and tells its MCP session.
const scratch = scratchRedis('elicitations');
const { redis, prefix } = scratch;
const sent: { session: string; method: string }[] = [];
const elicitations = new ConnectElicitations(
  redis,
  prefix,
  {
    sendToSession: async (session, notification) => {
      sent.push({ session, method: notification.method });
      return true;
    },
  },
  {
    record: async () => {
      throw new Error('nothing here is refused');
    },
  },
  (error) => {
    throw error;
  },
);

afterAll(() => scratch.close());

const person = { tenantId: randomUUID(), userId: randomUUID(), providerId: 'demo' };
const ttlOf = (id: string) => redis.ttl(`${prefix}:connect-elicitation:${id}`);

test('a flow started in the last minutes of a link keeps it for as long as the flow may take', async () => {
  const id = await elicitations.create({ ...person, clientId: 'client', scopes: ['notes:read'] });
  expect(await ttlOf(id)).toBeGreaterThan(3_500);
  // Started with most of its hour left: unchanged.
  await elicitations.holdForFlow(id);
  expect(await ttlOf(id)).toBeGreaterThan(3_500);
  // Started with a minute left: held for longer than a flow's state lives (600 s).
  await redis.expire(`${prefix}:connect-elicitation:${id}`, 60);
  await elicitations.holdForFlow(id);
  expect(await ttlOf(id)).toBeGreaterThan(600);
});

test("completing the link's flow tells its MCP session and uses the link up", async () => {
  const id = await elicitations.create({ ...person, clientId: 'client', sessionId: 'session-1' });
  // Someone else's connection completes nothing.
  await elicitations.completed(id, { ...person, userId: randomUUID() });
  expect(await elicitations.find(id)).toBeDefined();
  expect(sent).toEqual([]);
  await elicitations.completed(id, person);
  expect(sent).toEqual([{ session: expect.any(String) as unknown, method: 'notifications/elicitation/complete' }]);
  expect(await elicitations.find(id)).toBeUndefined();
  await expect(elicitations.verify(id, person, undefined)).rejects.toMatchObject({ code: 'elicitation_expired' });
});
