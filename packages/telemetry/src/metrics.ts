import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from './readiness.js';

/** Longest a scrape waits for the queue depths (Redis) before answering without them. */
const QUEUE_COUNTS_WAIT_MS = 1_000;

/**
 * Gatehouse's Prometheus metrics (one registry per process). Labels never carry tenants, people or anything secret:
 * tool names, outcomes, providers and queue states only.
 */
export class GatehouseMetrics {
  readonly registry = new Registry();
  readonly toolCalls: Counter<'tool' | 'result'>;
  readonly toolCallSeconds: Histogram<'tool'>;
  readonly tokenRefreshes: Counter<'provider' | 'outcome'>;
  readonly toolCallsDeferred: Counter;
  readonly queueJobs: Gauge<'queue' | 'state'>;

  constructor(service: string, queueCounts?: () => Promise<Record<string, Record<string, number>>>) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    this.toolCalls = new Counter({
      name: 'gatehouse_tool_calls_total',
      help: 'Provider tool calls by tool and result (succeeded, failed, needs_connection, rate_limited, interrupted).',
      labelNames: ['tool', 'result'],
      registers: [this.registry],
    });
    this.toolCallSeconds = new Histogram({
      name: 'gatehouse_tool_call_duration_seconds',
      help: 'Time from a tools/call reaching the api to its answer, by tool.',
      labelNames: ['tool'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.tokenRefreshes = new Counter({
      name: 'gatehouse_token_refreshes_total',
      help: 'Third-party token refreshes by provider and outcome (refreshed, rejected, unavailable).',
      labelNames: ['provider', 'outcome'],
      registers: [this.registry],
    });
    this.toolCallsDeferred = new Counter({
      name: 'gatehouse_tool_calls_deferred_total',
      help: "Tool calls a worker put back before running them because their tenant already had its share of the worker's slots (WORKER_CONCURRENCY_PER_TENANT).",
      registers: [this.registry],
    });
    this.queueJobs = new Gauge({
      name: 'gatehouse_queue_jobs',
      help: 'Jobs in each queue by state, read when scraped.',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        if (!queueCounts) return;
        this.reset();
        // While Redis is down its reads wait for it: the scrape answers without queue depths rather than not at all
        // (every other metric is what an outage is watched with).
        const read = await withTimeout(queueCounts(), QUEUE_COUNTS_WAIT_MS).catch(() => undefined);
        for (const [queue, counts] of Object.entries(read ?? {}))
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
      },
    });
  }

  /**
   * Answers a scrape: 404 while no token is configured (metrics off), 401 without the right bearer token.
   * Returns the status and body to send.
   */
  async scrape(
    token: string | undefined,
    authorization: string | undefined,
  ): Promise<{ status: number; contentType: string; body: string }> {
    if (!token) return { status: 404, contentType: 'text/plain', body: 'metrics are off (set METRICS_TOKEN)\n' };
    const presented = Buffer.from(/^Bearer (\S+)$/.exec(authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
      return { status: 401, contentType: 'text/plain', body: 'unauthorized\n' };
    return { status: 200, contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
