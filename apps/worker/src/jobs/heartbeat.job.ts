import { heartbeatJob, workerHeartbeatKey } from '@gatehouse/contracts';
import type { Redis } from 'ioredis';
import { defineJob } from './job-definition.js';

/** Records when the worker last consumed a heartbeat, so the api can show the queue path is alive. */
export function createHeartbeatJob(redis: Redis, prefix: string) {
  const key = workerHeartbeatKey(prefix);
  return defineJob(heartbeatJob, async (payload) => {
    const processedAt = new Date().toISOString();
    await redis.set(key, processedAt, 'EX', 3_600);
    return { sentAt: payload.sentAt, processedAt };
  });
}
