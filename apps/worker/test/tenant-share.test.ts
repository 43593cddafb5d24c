import { randomUUID } from 'node:crypto';
import { toolCallJob } from '@gatehouse/contracts';
import { scratchRedis, testRedisUrl } from '@gatehouse/testing';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { shareByTenant, toolCallTenant } from '../src/tools/tenant-share.js';

// Real Redis and a real BullMQ worker: one tenant's calls that hang cannot take every slot from another's.
const scratch = scratchRedis('tenant-share');
const { redis, prefix } = scratch;

afterAll(() => scratch.close());

test("a tenant whose calls hang holds at most its share of the worker's slots; another tenant's call runs at once", async () => {
  const name = `share-${randomUUID()}`;
  const queue = new Queue(name, { connection: redis, prefix });
  const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const [noisy, quiet] = [randomUUID(), randomUUID()];
  const running = new Map<string, number>();
  let most = 0;
  const started: string[] = [];
  let release!: () => void;
  const hang = new Promise<void>((resolve) => (release = resolve));
  const deferred: string[] = [];
  const processor = shareByTenant(
    async (job: Job) => {
      const tenant = (job.data as { tenantId: string }).tenantId;
      running.set(tenant, (running.get(tenant) ?? 0) + 1);
      if (tenant === noisy) most = Math.max(most, running.get(noisy)!);
      started.push(tenant);
      try {
        // The noisy tenant's provider hangs until the test lets it go; the quiet one's answers at once.
        if (tenant === noisy) await hang;
        return 'done';
      } finally {
        running.set(tenant, running.get(tenant)! - 1);
      }
    },
    { perTenant: 3, tenantOf: toolCallTenant, onDeferred: (job) => deferred.push(job.id!) },
  );
  const worker = new Worker(name, processor, { connection, prefix, concurrency: 4 });
  try {
    // Ten hanging calls of one tenant queued first, then one call of another.
    for (let i = 0; i < 10; i++) await queue.add(toolCallJob.name, { tenantId: noisy }, { jobId: `noisy-${i}` });
    const quietJob = await queue.add(toolCallJob.name, { tenantId: quiet }, { jobId: 'quiet' });
    const began = Date.now();
    const deadline = began + 10_000;
    while ((await queue.getJobState(quietJob.id!)) !== 'completed') {
      if (Date.now() > deadline) throw new Error(`the quiet tenant's call never ran: ${started.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(most).toBe(3);
    expect(deferred.length).toBeGreaterThan(0);
    // Put back, not failed or retried: no attempt was spent on a deferred call.
    const waitingNoisy = await queue.getJobs(['delayed', 'waiting']);
    for (const job of waitingNoisy) expect(job.attemptsMade).toBe(0);
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
    // Once the noisy tenant's calls end, the rest of them run in turn, never more than three at once.
    release();
    const end = Date.now() + 20_000;
    while (((await queue.getJobCounts('completed')).completed ?? 0) < 11) {
      if (Date.now() > end) throw new Error('the deferred calls never ran');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(most).toBe(3);
  } finally {
    release();
    await worker.close();
    await queue.close();
    connection.disconnect();
  }
});

test('jobs that are not tool calls, or name no tenant, are not shared out', () => {
  const job = (name: string, data: unknown) => ({ name, data }) as Job;
  expect(toolCallTenant(job(toolCallJob.name, { tenantId: 'a' }))).toBe('a');
  expect(toolCallTenant(job('maintenance.tools_retention', { tenantId: 'a' }))).toBeUndefined();
  expect(toolCallTenant(job(toolCallJob.name, {}))).toBeUndefined();
  expect(toolCallTenant(job(toolCallJob.name, { tenantId: 'x'.repeat(65) }))).toBeUndefined();
});
