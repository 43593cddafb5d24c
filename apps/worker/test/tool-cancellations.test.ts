import { randomUUID } from 'node:crypto';
import { toolCancelChannel, toolCancelledKey } from '@gatehouse/contracts';
import { scratchRedis, testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { ToolCancellations } from '../src/tools/tool-cancellations.js';

// Real Redis: the mark an api sets before it announces a cancellation names the add it cancelled.
const scratch = scratchRedis('cancellations');
const { redis, prefix } = scratch;
const subscriber = new Redis(testRedisUrl());
const cancellations = new ToolCancellations(subscriber, toolCancelChannel(prefix), redis, prefix);

afterAll(async () => {
  subscriber.disconnect();
  await scratch.close();
});

test('a cancelled add is refused; a later add of the same request (a re-send) is another call', async () => {
  const jobId = randomUUID();
  expect(await cancellations.markedBefore(jobId, 'first')).toBe(false);
  await redis.set(toolCancelledKey(prefix, jobId), 'first', 'PX', 60_000);
  expect(await cancellations.markedBefore(jobId, 'first')).toBe(true);
  expect(await cancellations.markedBefore(jobId, 'resent')).toBe(false);
  // A job queued by an api that names no add (before callId existed): any mark refuses it.
  expect(await cancellations.markedBefore(jobId, undefined)).toBe(true);
});

test('a cancellation announced while the call runs aborts its signal', async () => {
  await cancellations.start();
  const jobId = randomUUID();
  const { signal, release } = cancellations.register(jobId);
  try {
    // Listened for before the announcement: it may be heard before the PUBLISH's own reply.
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await redis.publish(toolCancelChannel(prefix), jobId);
    await aborted;
    expect(signal.aborted).toBe(true);
  } finally {
    release();
  }
});
