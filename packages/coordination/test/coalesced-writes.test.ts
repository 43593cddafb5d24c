import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { testRedisUrl } from '@gatehouse/testing';
import { Redis } from 'ioredis';
import { coalesceWrites } from '../src/index.js';

const prefix = `test-coalesce-${randomUUID()}`;
const clients: Redis[] = [];

function client(coalesced: boolean): Redis {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  clients.push(redis);
  return coalesced ? coalesceWrites(redis) : redis;
}

/** Counts the system-level writes of the connection's current socket (Writable calls _write or _writev per write). */
function countWrites(redis: Redis): () => number {
  const socket = redis.stream as Socket & {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      writes += 1;
      original(...args);
    };
  }
  return () => writes;
}

afterAll(async () => {
  const keys = await clients[0]!.keys(`${prefix}*`);
  if (keys.length > 0) await clients[0]!.del(...keys);
  for (const redis of clients) redis.disconnect();
});

describe('coalesceWrites', () => {
  it('sends the commands of one event-loop turn in one write, in order, each with its own reply', async () => {
    const redis = client(true);
    await redis.ping();
    const writes = countWrites(redis);
    const key = `${prefix}:one-turn`;
    const replies = await Promise.all(Array.from({ length: 20 }, () => redis.incr(key)));
    expect(replies).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(writes()).toBe(1);
  });

  it('sends each command in a write of its own without it (the control)', async () => {
    const redis = client(false);
    await redis.ping();
    const writes = countWrites(redis);
    await Promise.all(Array.from({ length: 20 }, () => redis.incr(`${prefix}:control`)));
    expect(writes()).toBe(20);
  });

  it('holds nothing past its turn: a command given after a reply leaves in a write of its own', async () => {
    const redis = client(true);
    await redis.ping();
    const writes = countWrites(redis);
    const key = `${prefix}:turns`;
    await redis.set(key, 'a');
    expect(await redis.get(key)).toBe('a');
    expect(await redis.append(key, 'b')).toBe(2);
    expect(writes()).toBe(3);
  });

  it('keeps coalescing on the socket of a reconnect', async () => {
    const redis = client(true);
    await redis.ping();
    const first = redis.stream;
    redis.disconnect(true);
    await once(redis, 'ready');
    expect(redis.stream).not.toBe(first);
    const writes = countWrites(redis);
    const key = `${prefix}:reconnect`;
    await Promise.all([redis.set(key, '1'), redis.incr(key), redis.incr(key)]);
    expect(await redis.get(key)).toBe('3');
    expect(writes()).toBe(2);
  });
});
