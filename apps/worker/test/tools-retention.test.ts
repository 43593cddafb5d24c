import { setTimeout as sleep } from 'node:timers/promises';
import { TOOLS_QUEUE, TOOLS_QUEUE_OPTIONS, toolCallJob, toolsRetentionJob } from '@gatehouse/contracts';
import { testPrefix, testRedisUrl, waitFor } from '@gatehouse/testing';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createToolsRetentionJob } from '../src/jobs/tools-retention.job.js';

// Ages of seconds instead of an hour and a week; the mechanism is the one the worker schedules.
const AGE_S = 2;

describe('tools queue retention', () => {
  const prefix = testPrefix();
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const workerConnection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue(TOOLS_QUEUE, { connection: redis, prefix, ...TOOLS_QUEUE_OPTIONS });
  const retention = createToolsRetentionJob(queue, redis, {
    completedAgeMs: AGE_S * 1_000,
    failedAgeMs: AGE_S * 1_000,
  });
  let worker: Worker;

  beforeAll(() => {
    worker = new Worker(
      TOOLS_QUEUE,
      async (job: Job) => {
        if (job.name === toolsRetentionJob.name)
          return retention.handle({}, { jobId: job.id!, attempt: 1, maxAttempts: 1, progress: async () => {} });
        if ((job.data as { fail?: boolean }).fail) throw new Error('the provider refused');
        return { kind: 'ok', output: { note: `answer of ${job.id}` } };
      },
      { connection: workerConnection, prefix },
    );
  });

  afterAll(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await Promise.all([redis.quit(), workerConnection.quit()]);
  });

  const call = (id: string, fail = false) =>
    queue.add(
      toolCallJob.name,
      { fail },
      {
        jobId: id,
        deduplication: { id, ttl: 600_000 },
        removeOnComplete: { age: 3_600, count: 10_000 },
        removeOnFail: { age: 7 * 86_400 },
      },
    );
  const finished = (id: string) =>
    waitFor(`job ${id} finished`, async () => {
      const state = await queue.getJobState(id);
      return state === 'completed' || state === 'failed' ? state : undefined;
    });
  const events = async () => JSON.stringify(await redis.xrange(queue.toKey('events'), '-', '+'));

  it('keeps the event stream short for every queue instance', async () => {
    await queue.waitUntilReady();
    await waitFor('queue meta', async () => (await redis.hget(queue.toKey('meta'), 'opts.maxLenEvents')) ?? undefined);
    expect(await redis.hget(queue.toKey('meta'), 'opts.maxLenEvents')).toBe('1000');
  });

  it('drops calls and events past their age although no other call finishes, keeping the replay keys', async () => {
    await Promise.all([call('old-ok-1'), call('old-ok-2'), call('old-failed', true)]);
    expect(await Promise.all(['old-ok-1', 'old-ok-2', 'old-failed'].map(finished))).toEqual([
      'completed',
      'completed',
      'failed',
    ]);
    // BullMQ's event stream repeats each answer: that is what must not outlive the call.
    expect(await events()).toContain('answer of old-ok-1');
    expect(await events()).toContain('the provider refused');

    await sleep(AGE_S * 1_000 + 500);
    await call('recent');
    expect(await finished('recent')).toBe('completed');
    // Nothing finished in between has dropped the old calls: BullMQ only looks at ages when a job finishes, and then
    // only at the finishing job's own kind (a completion never drops failed calls).
    expect(await queue.getJobState('old-failed')).toBe('failed');

    const sweep = await queue.add(
      toolsRetentionJob.name,
      {},
      { removeOnComplete: { age: AGE_S, count: 10_000 }, removeOnFail: 100 },
    );
    expect(await finished(sweep.id!)).toBe('completed');
    const result = (await queue.getJob(sweep.id!))!.returnvalue as { events: number; failed: number };
    expect(result.failed).toBe(1);
    expect(result.events).toBeGreaterThan(0);

    for (const id of ['old-ok-1', 'old-ok-2', 'old-failed']) expect(await queue.getJob(id)).toBeUndefined();
    expect(await queue.getJobState('recent')).toBe('completed');
    const left = await events();
    expect(left).not.toContain('answer of old-ok');
    expect(left).not.toContain('the provider refused');
    expect(left).toContain('answer of recent');
    // The completed calls' deduplication keys stay: sent again, they are still not run a second time.
    for (const id of ['old-ok-1', 'old-ok-2']) expect(await redis.exists(queue.toKey(`de:${id}`))).toBe(1);
  });
});
