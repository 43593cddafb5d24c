import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { elicitationCompleteNotification } from '@gatehouse/mcp';
import { scratchRedis, testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { RedisNotificationHub, sessionAddress } from '../src/mcp/redis-notification.hub.js';

// Real Redis, two hubs (two api instances): a session's notifications are logged, so a stream that reconnects
// with Last-Event-ID gets what it missed, whichever instance it reconnects to.
const scratch = scratchRedis('hub');
const { redis, prefix } = scratch;
const hubs = [0, 1].map(
  () => new RedisNotificationHub(redis, new Redis(testRedisUrl()), prefix, 'https://gatehouse.test', undefined, 60_000),
);
const servers: Server[] = [];
const urls: string[] = [];
const sessionId = 'a'.repeat(43);
const resource = 'https://gatehouse.test/t/acme/mcp/notes';

beforeAll(async () => {
  for (const hub of hubs) {
    await hub.start();
    const server = createServer((req, res) => {
      const last = req.headers['last-event-id'];
      void hub.open(res, { sessionId, resource }, typeof last === 'string' ? last : undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }
});

afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await scratch.close();
});

/** Opens a stream on instance `i`; `until(n)` reads until `n` events have come, returning their ids and payloads. */
async function stream(i: number, lastEventId?: string) {
  const response = await fetch(urls[i]!, { headers: lastEventId ? { 'last-event-id': lastEventId } : {} });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    async until(count: number) {
      const events = () =>
        text
          .split('\n\n')
          .filter((block) => block.includes('data: '))
          .map((block) => ({
            id: /^id: (.+)$/m.exec(block)?.[1],
            elicitationId: (JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as { params: { elicitationId: string } })
              .params.elicitationId,
          }));
      while (events().length < count) text += (await reader.read()).value ?? '';
      return events();
    },
    close: () => reader.cancel(),
  };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
}

it('logs what is sent to a session and replays what a resuming stream missed, in order, on the other instance', async () => {
  const address = sessionAddress(sessionId);
  const live = await stream(0);
  await settle();
  expect(await hubs[1]!.sendToSession(address, elicitationCompleteNotification('e1'))).toBe(true);
  const [first] = await live.until(1);
  expect(first).toMatchObject({ elicitationId: 'e1', id: expect.stringMatching(/^\d+-\d+-s$/) });
  await live.close();
  await settle();

  // Nobody listens: not heard live, but logged.
  expect(await hubs[1]!.sendToSession(address, elicitationCompleteNotification('e2'))).toBe(false);
  expect(await hubs[0]!.sendToSession(address, elicitationCompleteNotification('e3'))).toBe(false);

  const resumed = await stream(1, first!.id);
  const replayed = await resumed.until(2);
  expect(replayed.map((event) => event.elicitationId)).toEqual(['e2', 'e3']);
  await settle();
  await hubs[0]!.sendToSession(address, elicitationCompleteNotification('e4'));
  expect((await resumed.until(3)).map((event) => event.elicitationId)).toEqual(['e2', 'e3', 'e4']);
  await resumed.close();
});
