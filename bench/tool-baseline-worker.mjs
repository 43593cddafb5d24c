// The worker of baseline (d) in tool-call.bench.mjs (see tool-baseline-server.mjs): a bare BullMQ worker whose job
// calls the downstream with the fixed token and publishes the answer on the channel the job names, as the handler
// returns. No database, no vault, no audit, no checks.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { listNotesDownstream } from './downstream.mjs';

const { REDIS_URL: url, QUEUE_PREFIX: prefix, BASELINE_QUEUE: name } = process.env;
const connection = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true });

const worker = new Worker(
  name,
  async (job) => {
    const notes = await listNotesDownstream();
    void connection.publish(job.data.replyTo, JSON.stringify({ id: job.id, notes }));
  },
  { connection, prefix, concurrency: 64 },
);
await worker.waitUntilReady();
process.stdout.write('ready\n');
