import { randomUUID } from 'node:crypto';
import type { ToolCallResult } from '@gatehouse/contracts';
import { scratchRedis, testRedisUrl } from '@gatehouse/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AnswerNoLongerKept, removeWaitingUnlessStalled, ToolReplyInbox } from '../src/tools/tool-replies.js';

// Real Redis and real BullMQ: the inbox hears answers on its channel, and finds by polling what it did not hear.
const scratch = scratchRedis('replies');
const { redis, prefix } = scratch;
const queueName = `replies-${randomUUID()}`;
const queue = new Queue(queueName, { connection: redis, prefix });
const inbox = new ToolReplyInbox(new Redis(testRedisUrl(), { maxRetriesPerRequest: null }), prefix, queue);
const workerConnection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
const answers = new Map<string, ToolCallResult | Error>();
// A worker that answers only through BullMQ (it publishes nothing): what the inbox learns, it learns by polling.
const worker = new Worker(
  queueName,
  async (job) => {
    const answer = answers.get(job.id!);
    if (answer instanceof Error) throw answer;
    return answer;
  },
  { connection: workerConnection, prefix, autorun: false },
);

const ok = (note: string): ToolCallResult => ({ kind: 'ok', output: { note } });

beforeAll(async () => {
  await inbox.start();
  void worker.run();
  await worker.waitUntilReady();
});

afterAll(async () => {
  await worker.close();
  await queue.close();
  await inbox.close();
  workerConnection.disconnect();
  await scratch.close();
});

describe('ToolReplyInbox', () => {
  it('resolves a waiting call with the answer published on its channel, after its progress', async () => {
    const progress: unknown[] = [];
    const waiting = inbox.wait('job-published', { timeoutMs: 5_000, onProgress: (value) => progress.push(value) });
    await redis.publish(
      inbox.channel,
      JSON.stringify({ kind: 'progress', jobId: 'job-published', progress: { progress: 1, total: 2 } }),
    );
    // Foreign, malformed and other jobs' messages are ignored.
    await redis.publish(inbox.channel, 'not json');
    await redis.publish(
      inbox.channel,
      JSON.stringify({ kind: 'result', jobId: 'job-published', result: { kind: 'nonsense' } }),
    );
    await redis.publish(inbox.channel, JSON.stringify({ kind: 'result', jobId: 'someone-else', result: ok('no') }));
    await redis.publish(inbox.channel, JSON.stringify({ kind: 'result', jobId: 'job-published', result: ok('yes') }));
    await expect(waiting.answer).resolves.toEqual(ok('yes'));
    expect(progress).toEqual([{ progress: 1, total: 2 }]);
  });

  it('finds an answer it never heard by polling the job, e.g. for a call re-sent after its job finished', async () => {
    const jobId = `job-${randomUUID()}`;
    answers.set(jobId, ok('first run'));
    await queue.add('tool.call', {}, { jobId });
    await waitForState(jobId, 'completed');
    const started = Date.now();
    const waiting = inbox.wait(jobId, { timeoutMs: 5_000, onProgress: () => undefined });
    await expect(waiting.answer).resolves.toEqual(ok('first run'));
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('rejects with the reason of a job that failed for good', async () => {
    const jobId = `job-${randomUUID()}`;
    answers.set(jobId, new Error('job stalled more than allowable limit'));
    const waiting = inbox.wait(jobId, { timeoutMs: 5_000, onProgress: () => undefined });
    await queue.add('tool.call', {}, { jobId, attempts: 1 });
    await expect(waiting.answer).rejects.toThrow('job stalled more than allowable limit');
  });

  it('rejects when the job is gone, and when no answer comes in time', async () => {
    const gone = inbox.wait(`job-${randomUUID()}`, { timeoutMs: 5_000, onProgress: () => undefined });
    await expect(gone.answer).rejects.toThrow('the job is gone');
    const late = inbox.wait(`job-${randomUUID()}`, { timeoutMs: 200, onProgress: () => undefined });
    await expect(late.answer).rejects.toThrow('no answer within 200 ms');
  });

  it('tells a job that ran and was dropped (kept for the replay window) from one that is simply gone', async () => {
    const jobId = `job-${randomUUID()}`;
    answers.set(jobId, ok('ran once'));
    // Completed jobs are dropped at once here; the deduplication key outlives them, as the executor's does.
    await queue.add('tool.call', {}, { jobId, deduplication: { id: jobId, ttl: 60_000 }, removeOnComplete: true });
    await waitForState(jobId, 'unknown');
    const waiting = inbox.wait(jobId, { timeoutMs: 5_000, onProgress: () => undefined });
    await expect(waiting.answer).rejects.toBeInstanceOf(AnswerNoLongerKept);
    // Removed on purpose (an abandoned call): the key goes with it, and the request may run again.
    const removed = `job-${randomUUID()}`;
    await queue.add('tool.call', {}, { jobId: removed, deduplication: { id: removed, ttl: 60_000 }, delay: 60_000 });
    await queue.remove(removed);
    const gone = inbox.wait(removed, { timeoutMs: 5_000, onProgress: () => undefined });
    await expect(gone.answer).rejects.toThrow('the job is gone');
  });

  it('never leaves an unhandled rejection, awaited or not (one would end the api)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Nobody awaits these yet (the job is still being added) when they time out, or find their job gone.
      inbox.wait(`job-${randomUUID()}`, { timeoutMs: 100, onProgress: () => undefined });
      inbox.wait(`job-${randomUUID()}`, { timeoutMs: 5_000, onProgress: () => undefined });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('stops polling once a caller stops waiting', async () => {
    const jobId = `job-${randomUUID()}`;
    const waiting = inbox.wait(jobId, { timeoutMs: 5_000, onProgress: () => undefined });
    let settled = false;
    waiting.answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    waiting.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(settled).toBe(false);
  });
});

async function waitForState(jobId: string, state: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await queue.getJobState(jobId)) === state) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} never became ${state}`);
}

describe('removeWaitingUnlessStalled (an abandoned call)', () => {
  it('removes a job no worker has taken, with its deduplication key', async () => {
    const jobId = `job-${randomUUID()}`;
    await queue.add('tool.call', {}, { jobId, deduplication: { id: jobId, ttl: 60_000 }, delay: 60_000 });
    await expect(removeWaitingUnlessStalled(queue, jobId)).resolves.toBe(true);
    expect(await queue.getJobState(jobId)).toBe('unknown');
    expect(await queue.getDeduplicationJobId(jobId)).toBeNull();
  });

  it('removes a job taken and put back unrun (or waiting between attempts): nothing of it runs after its caller gave up', async () => {
    const name = `put-back-${randomUUID()}`;
    const line = new Queue(name, { connection: redis, prefix });
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const taker = new Worker(name, null, { connection, prefix, autorun: false });
    try {
      const jobId = `job-${randomUUID()}`;
      await line.add('tool.call', {}, { jobId, deduplication: { id: jobId, ttl: 60_000 } });
      const taken = await taker.getNextJob('a-worker');
      await taken.moveToDelayed(Date.now() + 60_000, 'a-worker');
      expect(await line.getJobState(jobId)).toBe('delayed');
      await expect(removeWaitingUnlessStalled(line, jobId)).resolves.toBe(true);
      expect(await line.getJobState(jobId)).toBe('unknown');
    } finally {
      await taker.close();
      await line.close();
      connection.disconnect();
    }
  });

  it('keeps a job whose worker died mid-call, though it waits again: a re-send is refused, not run twice', async () => {
    // Its own queue and a worker taking jobs by hand: the job is taken, then its worker "dies" (its lock lapses).
    const name = `stalls-${randomUUID()}`;
    const stalling = new Queue(name, { connection: redis, prefix });
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const checker = new Worker(name, null, {
      connection,
      prefix,
      autorun: false,
      maxStalledCount: 0,
      lockDuration: 200,
      stalledInterval: 200,
    });
    try {
      const jobId = `job-${randomUUID()}`;
      await stalling.add('tool.call', {}, { jobId, deduplication: { id: jobId, ttl: 60_000 } });
      const taken = await checker.getNextJob('dead-worker');
      expect(taken?.id).toBe(jobId);
      await redis.del(`${prefix}:${name}:${jobId}:lock`);
      // BullMQ's stalled-job check (two passes: mark, then move) puts it back in the wait list.
      await checker.startStalledCheckTimer();
      const deadline = Date.now() + 5_000;
      while ((await stalling.getJobState(jobId)) !== 'waiting') {
        if (Date.now() > deadline) throw new Error('the job never went back to waiting');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await expect(removeWaitingUnlessStalled(stalling, jobId)).resolves.toBe(false);
      expect(await stalling.getJobState(jobId)).toBe('waiting');
      // The same request re-sent finds the job (deduplicated), and is not queued to run again.
      expect(await stalling.getDeduplicationJobId(jobId)).toBe(jobId);
      const again = await stalling.add('tool.call', {}, { jobId, deduplication: { id: jobId, ttl: 60_000 } });
      expect(again.id).toBe(jobId);
      expect(await stalling.getJobCounts('waiting', 'active')).toEqual({ waiting: 1, active: 0 });
    } finally {
      await checker.close();
      await stalling.close();
      connection.disconnect();
    }
  });
});
