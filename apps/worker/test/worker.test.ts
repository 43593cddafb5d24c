import {
  heartbeatJob,
  oauthSweepJob,
  SYSTEM_QUEUE,
  TOOLS_QUEUE,
  TOOLS_QUEUE_OPTIONS,
  toolsRetentionJob,
  workerHeartbeatKey,
} from '@gatehouse/contracts';
import { createDatabase } from '@gatehouse/db';
import { parseConfig, workerConfigSchema } from '@gatehouse/config';
import { createLogger } from '@gatehouse/telemetry';
import {
  testAppDatabaseUrl,
  testDatabaseUrl,
  testPrefix,
  testRedisUrl,
  testVaultKeys,
  waitFor,
} from '@gatehouse/testing';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startWorker, type WorkerRuntime } from '../src/runtime.js';

describe('worker', () => {
  const prefix = testPrefix();
  let runtime: WorkerRuntime;
  let redis: Redis;
  let queue: Queue;
  let toolsQueue: Queue;
  let events: QueueEvents;
  let eventsConnection: Redis;

  beforeAll(async () => {
    const config = parseConfig(workerConfigSchema, {
      DATABASE_URL: testAppDatabaseUrl(),
      VAULT_KEYS: testVaultKeys(),
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      WORKER_PORT: '0',
      WORKER_HOST: '127.0.0.1',
      WORKER_CONCURRENCY: '2',
    });
    runtime = await startWorker(config, createLogger({ service: 'worker', level: 'silent' }));
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue(SYSTEM_QUEUE, { connection: redis, prefix });
    toolsQueue = new Queue(TOOLS_QUEUE, { connection: redis, prefix, ...TOOLS_QUEUE_OPTIONS });
    eventsConnection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    events = new QueueEvents(SYSTEM_QUEUE, { connection: eventsConnection, prefix });
    await events.waitUntilReady();
  });

  afterAll(async () => {
    await runtime.stop();
    await Promise.all([queue.obliterate({ force: true }), toolsQueue.obliterate({ force: true })]);
    await Promise.all([queue.close(), toolsQueue.close()]);
    await events.close();
    // BullMQ never closes connections it was given.
    await Promise.all([redis.quit(), eventsConnection.quit()]);
  });

  it('is ready once connected to Postgres, Redis and its queue', async () => {
    // The queue connection comes up just after startWorker returns; on a busy machine that takes a moment.
    const res = await waitFor('worker ready', async () => {
      const probe = await fetch(`http://127.0.0.1:${runtime.healthPort}/readyz`);
      return probe.status === 200 ? probe : undefined;
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ready',
      service: 'worker',
      checks: { postgres: { status: 'up' }, redis: { status: 'up' }, queue: { status: 'up' } },
    });
  });

  it('consumes a heartbeat job and records when it ran', async () => {
    const sentAt = new Date().toISOString();
    const job = await queue.add(heartbeatJob.name, { sentAt, from: 'test' });
    const result = (await job.waitUntilFinished(events, 10_000)) as { sentAt: string; processedAt: string };
    expect(result.sentAt).toBe(sentAt);
    expect(await redis.get(workerHeartbeatKey(prefix))).toBe(result.processedAt);
  });

  it('fails a job whose payload breaks its contract instead of running the handler', async () => {
    await redis.del(workerHeartbeatKey(prefix));
    const job = await queue.add(heartbeatJob.name, { sentAt: 'not a date', from: 'test' });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/Invalid ISO datetime|invalid/i);
    expect(await redis.get(workerHeartbeatKey(prefix))).toBeNull();
  });

  it('fails an unknown job by name', async () => {
    const job = await queue.add('system.unknown', {});
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow('no handler for job "system.unknown"');
  });

  it('sweeps authorization-server rows that expired over an hour ago, hourly', async () => {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({ key: 'oauth-sweep', name: oauthSweepJob.name, every: 3_600_000 }),
    ]);

    const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
    const kind = `SweepTest${prefix}`;
    try {
      const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
      await db.oAuthModel.createMany({
        data: [
          { kind, id: 'long-expired', payload: {}, expiresAt: hoursAgo(2) },
          { kind, id: 'just-expired', payload: {}, expiresAt: hoursAgo(0.1) },
          { kind, id: 'live', payload: {}, expiresAt: hoursAgo(-1) },
          { kind, id: 'forever', payload: {} },
          // Registered clients: abandoned for over 30 days (deleted), old but in use, and recent.
          { kind: 'Client', id: `${prefix}-abandoned`, payload: {}, createdAt: hoursAgo(31 * 24) },
          { kind: 'Client', id: `${prefix}-in-use`, payload: {}, createdAt: hoursAgo(31 * 24) },
          { kind: 'Grant', id: `${prefix}-grant`, payload: {}, clientId: `${prefix}-in-use` },
          { kind: 'Client', id: `${prefix}-new`, payload: {}, createdAt: hoursAgo(1) },
        ],
      });
      const job = await queue.add(oauthSweepJob.name, {});
      const result = (await job.waitUntilFinished(events, 10_000)) as { deleted: number; unusedClients: number };
      expect(result.deleted).toBeGreaterThanOrEqual(1);
      expect(result.unusedClients).toBeGreaterThanOrEqual(1);
      const clients = await db.oAuthModel.findMany({
        where: { kind: 'Client', id: { startsWith: prefix } },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      expect(clients.map((row) => row.id)).toEqual([`${prefix}-in-use`, `${prefix}-new`]);
      const left = await db.oAuthModel.findMany({ where: { kind }, select: { id: true }, orderBy: { id: 'asc' } });
      expect(left.map((row) => row.id)).toEqual(['forever', 'just-expired', 'live']);
    } finally {
      await db.oAuthModel.deleteMany({ where: { OR: [{ kind }, { id: { startsWith: prefix } }] } });
      await db.$disconnect();
    }
  });

  it('keeps the tools queue to its retention every five minutes (tools-retention.test.ts: what it drops)', async () => {
    expect(await toolsQueue.getJobSchedulers()).toEqual([
      expect.objectContaining({ key: 'tools-retention', name: toolsRetentionJob.name, every: 300_000 }),
    ]);
    const job = await toolsQueue.add(toolsRetentionJob.name, {});
    const result = await waitFor('retention job', async () =>
      (await toolsQueue.getJobState(job.id!)) === 'completed'
        ? ((await toolsQueue.getJob(job.id!))?.returnvalue as unknown)
        : undefined,
    );
    expect(result).toEqual({ events: expect.any(Number), failed: 0 });
  });

  it('answers /healthz and 404s other paths', async () => {
    const live = await fetch(`http://127.0.0.1:${runtime.healthPort}/healthz`);
    expect(await live.json()).toMatchObject({ status: 'ok', service: 'worker' });
    const missing = await fetch(`http://127.0.0.1:${runtime.healthPort}/metrics-nope`);
    expect(missing.status).toBe(404);
  });
});
