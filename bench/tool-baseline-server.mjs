// Baselines for tool-call.bench.mjs: a bare MCP SDK Streamable-HTTP server (fresh server + stateless transport per
// request) whose one tool calls the same downstream as Gatehouse's demo.list_notes, with a fixed token: no auth, no
// database. DOWNSTREAM_URL and DOWNSTREAM_TOKEN come from the benchmark.
//   (b) without BASELINE_QUEUE: the tool calls the downstream itself;
//   (d) with BASELINE_QUEUE (a BullMQ queue name; REDIS_URL, QUEUE_PREFIX): the tool queues a job, which
//       tool-baseline-worker.mjs (another process) runs, and waits for the answer the worker publishes on this
//       server's own channel — the queue hop of the design and nothing else.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { listNotesDownstream } from './downstream.mjs';

/** (d): the call through a queue and a worker process, answered on this process's reply channel. */
async function queued(name) {
  const { REDIS_URL: url, QUEUE_PREFIX: prefix } = process.env;
  const queue = new Queue(name, {
    connection: new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true }),
    prefix,
  });
  const replies = new Redis(url);
  const channel = `${prefix}:baseline-reply:${process.pid}`;
  const waiting = new Map();
  replies.on('message', (_, message) => {
    const { id, notes } = JSON.parse(message);
    waiting.get(id)?.(notes);
    waiting.delete(id);
  });
  await replies.subscribe(channel);
  let next = 0;
  return async () => {
    const jobId = `${process.pid}-${next++}`;
    const answer = new Promise((resolve) => waiting.set(jobId, resolve));
    await queue.add('list_notes', { replyTo: channel }, { jobId, removeOnComplete: true, removeOnFail: true });
    return answer;
  };
}

const listNotes = process.env.BASELINE_QUEUE ? await queued(process.env.BASELINE_QUEUE) : listNotesDownstream;

const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const server = new McpServer({ name: 'baseline', version: '1.0.0' });
  server.registerTool('list_notes', { description: 'Lists notes' }, async () => {
    const notes = await listNotes();
    return { content: [{ type: 'text', text: JSON.stringify(notes) }], structuredContent: notes };
  });
  const transport = new StreamableHTTPServerTransport({});
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString('utf8')));
});
http.listen(0, '127.0.0.1', () => process.stdout.write(`${http.address().port}\n`));
