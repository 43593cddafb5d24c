import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { elicitationCompleteNotification, toolListChangedNotification } from '@gatehouse/mcp';
import { scratchRedis, testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { RedisNotificationHub, sessionAddress } from '../src/mcp/redis-notification.hub.js';

// Real Redis, two hubs (two api instances): a session's notifications are logged, so a stream that reconnects
// with Last-Event-ID gets what it missed, whichever instance it reconnects to.
const scratch = scratchRedis('hub');
const { redis, prefix } = scratch;
// The third instance's commands go on a connection of its own, which a test can hold up.
const heldPublisher = new Redis(testRedisUrl());
const hubs = [redis, redis, heldPublisher].map(
  (publisher) =>
    new RedisNotificationHub(publisher, new Redis(testRedisUrl()), prefix, 'https://gatehouse.test', undefined, 60_000),
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
  heldPublisher.disconnect();
  await scratch.close();
});

/**
 * Opens a stream on instance `i`; `until(n)` reads until `n` events have come (at most 5 s), returning their ids and
 * payloads.
 */
async function stream(i: number, lastEventId?: string) {
  const response = await fetch(urls[i]!, { headers: lastEventId ? { 'last-event-id': lastEventId } : {} });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  let ended = false;
  return {
    /** True once the server ended the stream (seen by `until`). */
    get ended() {
      return ended;
    },
    async until(count: number) {
      const events = () =>
        text
          .split('\n\n')
          .filter((block) => block.includes('data: '))
          .map((block) => {
            const message = JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as {
              method: string;
              params?: { elicitationId?: string };
            };
            return {
              id: /^id: (.+)$/m.exec(block)?.[1],
              method: message.method,
              elicitationId: message.params?.elicitationId,
            };
          });
      // Gives up after 5 s with what came, so a missing event fails the test's expectation instead of hanging it.
      const deadline = Date.now() + 5_000;
      while (events().length < count && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), deadline - Date.now()))),
        ]);
        clearTimeout(timer);
        if (chunk?.done) {
          ended = true;
          break;
        }
        text += chunk?.value ?? '';
      }
      return events();
    },
    close: () => reader.cancel(),
  };
}

/**
 * Logs `message` in the session's log and publishes it, then a newer stream's `opened`, in one MULTI: both reach an
 * instance together, the event while its log is being read.
 */
async function loggedThenReplaced(address: string, message: ReturnType<typeof elicitationCompleteNotification>) {
  const entry = await redis.xadd(`${prefix}:mcp:session-log:${address}`, '*', 'm', JSON.stringify(message));
  const channel = `${prefix}:mcp:session-events:${address}`;
  await redis
    .multi()
    .publish(channel, JSON.stringify({ type: 'message', message, id: `${entry}-s` }))
    .publish(channel, JSON.stringify({ type: 'opened', token: 'a-newer-stream' }))
    .exec();
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
  // The id names the stream's place in the session's log and in the server's.
  expect(first).toMatchObject({ elicitationId: 'e1', id: expect.stringMatching(/^\d+-\d+-s_\d+-\d+-v$/) });
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

it('resumes each log from where the client was in it, whichever order the instances published in', async () => {
  const address = sessionAddress(sessionId);
  const live = await stream(0);
  await settle();
  // One instance logs a change of the server; another then logs and publishes a session event, which the client
  // gets; the first instance's publication is late, and the client's connection drops before it arrives.
  const serverLog = `${prefix}:mcp:server-log:${createHash('sha256').update(resource).digest('base64url')}`;
  await redis.xadd(serverLog, '*', 'm', JSON.stringify(toolListChangedNotification()));
  expect(await hubs[1]!.sendToSession(address, elicitationCompleteNotification('e5'))).toBe(true);
  const [seen] = await live.until(1);
  expect(seen!.elicitationId).toBe('e5');
  await live.close();
  await settle();

  const resumed = await stream(1, seen!.id);
  expect(await resumed.until(1)).toEqual([
    expect.objectContaining({ method: 'notifications/tools/list_changed', id: expect.stringMatching(/-v$/) }),
  ]);
  await resumed.close();
});

it('sends the events of one log in log order, each once, when their instances published them out of order', async () => {
  const address = sessionAddress(sessionId);
  const live = await stream(0);
  await settle();
  // One instance has logged e6 but not yet published it; another logs and publishes e7.
  const sessionLog = `${prefix}:mcp:session-log:${address}`;
  const earlier = elicitationCompleteNotification('e6');
  const entry = await redis.xadd(sessionLog, '*', 'm', JSON.stringify(earlier));
  expect(await hubs[1]!.sendToSession(address, elicitationCompleteNotification('e7'))).toBe(true);
  const inOrder = await live.until(2);
  expect(inOrder.map((event) => event.elicitationId)).toEqual(['e6', 'e7']);
  // The late publication of e6 sends nothing more: the next event is e8.
  await redis.publish(
    `${prefix}:mcp:session-events:${address}`,
    JSON.stringify({ type: 'message', message: earlier, id: `${entry}-s` }),
  );
  await hubs[0]!.sendToSession(address, elicitationCompleteNotification('e8'));
  expect((await live.until(3)).map((event) => event.elicitationId)).toEqual(['e6', 'e7', 'e8']);
  // So a client that drops after e7 and resumes from its id misses nothing either.
  await live.close();
});

it('reads a log up to the live event however many entries lie before it', async () => {
  const address = sessionAddress(sessionId);
  const live = await stream(1);
  await settle();
  // 120 events logged by instances whose publications have not come yet, then one more, published.
  const sessionLog = `${prefix}:mcp:session-log:${address}`;
  for (let i = 0; i < 120; i++)
    await redis.xadd(sessionLog, '*', 'm', JSON.stringify(elicitationCompleteNotification(`late-${i}`)));
  await hubs[0]!.sendToSession(address, elicitationCompleteNotification('last'));
  const events = await live.until(121);
  expect(events.map((event) => event.elicitationId)).toEqual([
    ...Array.from({ length: 120 }, (_, i) => `late-${i}`),
    'last',
  ]);
  await live.close();
});

it('a stream replaced by a new one sends what it heard before the replacement, then ends', async () => {
  const address = sessionAddress(sessionId);
  const old = await stream(0);
  await settle();
  // Another instance logs and publishes an event; the client's new stream there is announced right after it, so
  // both reach this instance together — the event while its log is being read.
  const message = elicitationCompleteNotification('before-replaced');
  await loggedThenReplaced(address, message);
  expect((await old.until(2)).map((event) => event.elicitationId)).toEqual(['before-replaced']);
  expect(old.ended).toBe(true);
});

it('a stream replaced right after a change of its server still sends the list_changed first', async () => {
  const address = sessionAddress(sessionId);
  const old = await stream(0);
  await settle();
  const serverLog = `${prefix}:mcp:server-log:${createHash('sha256').update(resource).digest('base64url')}`;
  const entry = await redis.xadd(serverLog, '*', 'm', JSON.stringify(toolListChangedNotification()));
  const change = {
    tenantId: 'b'.repeat(8),
    tenantSlug: 'acme',
    serverId: 'c'.repeat(8),
    serverSlug: 'notes',
    toolsChanged: true,
    deleted: false,
    eventId: `${entry}-v`,
  };
  // Both reach the instance on its one subscriber connection, in this order.
  await redis
    .multi()
    .publish(`${prefix}:mcp:server-changed`, JSON.stringify(change))
    .publish(`${prefix}:mcp:session-events:${address}`, JSON.stringify({ type: 'opened', token: 'a-newer-stream' }))
    .exec();
  expect((await old.until(2)).map((event) => event.method)).toEqual(['notifications/tools/list_changed']);
  expect(old.ended).toBe(true);
});

it('a log read that does not answer holds the session up for at most 2 s: the event goes as it came', async () => {
  const address = sessionAddress(sessionId);
  const old = await stream(2);
  await settle();
  // The instance's Redis connection stops answering (a blocked command ahead of everything it sends next).
  void heldPublisher.blpop(`${prefix}:nothing`, 8).catch(() => undefined);
  const message = elicitationCompleteNotification('while-held');
  await loggedThenReplaced(address, message);
  const started = Date.now();
  const events = await old.until(2);
  expect(events.map((event) => event.elicitationId)).toEqual(['while-held']);
  // Without its id: the stream's place in the log has not moved past what it could not read.
  expect(events[0]!.id).toBeUndefined();
  expect(old.ended).toBe(true);
  expect(Date.now() - started).toBeLessThan(4_000);
  // Ends the blocked command, so the instance works again.
  heldPublisher.disconnect(true);
});
