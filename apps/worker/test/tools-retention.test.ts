import { setTimeout as sleep } from 'node:timers/promises';
import {
  TOOL_CALL_RETENTION,
  TOOLS_QUEUE,
  TOOLS_QUEUE_OPTIONS,
  toolCallJob,
  toolsRetentionJob,
} from '@gatehouse/contracts';
import { testPrefix, testRedisUrl, waitFor } from '@gatehouse/testing';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createToolsRetentionJob, TOOLS_RETENTION_JOB_OPTIONS } from '../src/jobs/tools-retention.job.js';

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
      { connection: workerConnection, prefix, concurrency: 50 },
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
        removeOnComplete: TOOL_CALL_RETENTION.completed,
        removeOnFail: TOOL_CALL_RETENTION.failed,
      },
    );
  const finished = (id: string) =>
    waitFor(`job ${id} finished`, async () => {
      const state = await queue.getJobState(id);
      return state === 'completed' || state === 'failed' ? state : undefined;
    });
  const events = async () => JSON.stringify(await redis.xrange(queue.toKey('events'), '-', '+'));
  const sweep = async () => {
    const job = await queue.add(
      toolsRetentionJob.name,
      {},
      {
        ...TOOLS_RETENTION_JOB_OPTIONS,
        removeOnComplete: { ...TOOLS_RETENTION_JOB_OPTIONS.removeOnComplete, age: AGE_S },
      },
    );
    expect(await finished(job.id!)).toBe('completed');
    return (await queue.getJob(job.id!))!.returnvalue as { events: number; failed: number };
  };

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
    expect((await events()).includes('answer of old-ok-1')).toBe(true);
    expect((await events()).includes('the provider refused')).toBe(true);

    await sleep(AGE_S * 1_000 + 500);
    await call('recent');
    expect(await finished('recent')).toBe('completed');
    // Nothing finished in between has dropped the old calls: BullMQ only looks at ages when a job finishes, and then
    // only at the finishing job's own kind (a completion never drops failed calls).
    expect(await queue.getJobState('old-failed')).toBe('failed');

    const result = await sweep();
    expect(result.failed).toBe(1);
    expect(result.events).toBeGreaterThan(0);

    for (const id of ['old-ok-1', 'old-ok-2', 'old-failed']) expect(await queue.getJob(id)).toBeUndefined();
    expect(await queue.getJobState('recent')).toBe('completed');
    const left = await events();
    expect(left.includes('answer of old-ok')).toBe(false);
    expect(left.includes('the provider refused')).toBe(false);
    expect(left.includes('answer of recent')).toBe(true);
    // The completed calls' deduplication keys stay: sent again, they are still not run a second time.
    for (const id of ['old-ok-1', 'old-ok-2']) expect(await redis.exists(queue.toKey(`de:${id}`))).toBe(1);
  });

  it('drops every completed call past its age in one run, however many', async () => {
    // More than BullMQ drops per completion unless told a limit (1,000).
    await queue.addBulk(
      Array.from({ length: 1_100 }, (_, i) => ({
        name: toolCallJob.name,
        data: {},
        opts: { jobId: `burst-${i}`, removeOnComplete: TOOL_CALL_RETENTION.completed },
      })),
    );
    await waitFor('the burst completed', async () =>
      (await queue.getWaitingCount()) + (await queue.getActiveCount()) === 0 ? true : undefined,
    );
    await sleep(AGE_S * 1_000 + 500);
    await sweep();
    // Everything before it was past its age: only the job itself is left.
    expect(await queue.getCompletedCount()).toBe(1);
  });
});
