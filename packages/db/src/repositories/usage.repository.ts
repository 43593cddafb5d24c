import type { Database } from '../client.js';
import { withTenant } from '../scope.js';

/** Calls of one tool with one result on one UTC day. */
export interface DailyToolCalls {
  day: string;
  tool: string;
  result: string;
  calls: number;
}

export interface ToolLatency {
  tool: string;
  calls: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface RateLimitHits {
  day: string;
  limit: string;
  hits: number;
}

export interface UsageRows {
  daily: DailyToolCalls[];
  latency: ToolLatency[];
  rateLimited: RateLimitHits[];
}

/**
 * Tool-call usage of a tenant, aggregated from its `tool.call` audit records (metadata `tool`, `result`,
 * `latencyMs`, and `limit` for rate-limited calls) in PostgreSQL. One scoped transaction, three index-range scans
 * on `audit_events_action_time_idx`.
 */
export class UsageRepository {
  constructor(private readonly db: Database) {}

  report(tenantId: string, window: { from: Date; to: Date }): Promise<UsageRows> {
    const { from, to } = window;
    return withTenant(this.db, tenantId, async (tx) => {
      const daily = await tx.$queryRaw<{ day: string; tool: string; result: string; calls: number }[]>`
        SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
               coalesce(metadata->>'tool', target_id, 'unknown') AS tool,
               coalesce(metadata->>'result', outcome) AS result,
               count(*)::int AS calls
        FROM audit_events
        WHERE tenant_id = ${tenantId}::uuid AND action = 'tool.call' AND occurred_at >= ${from} AND occurred_at < ${to}
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3`;
      const latency = await tx.$queryRaw<{ tool: string; calls: number; p50: number; p95: number; p99: number }[]>`
        SELECT coalesce(metadata->>'tool', target_id, 'unknown') AS tool,
               count(*)::int AS calls,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY (metadata->>'latencyMs')::double precision) AS p50,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY (metadata->>'latencyMs')::double precision) AS p95,
               percentile_cont(0.99) WITHIN GROUP (ORDER BY (metadata->>'latencyMs')::double precision) AS p99
        FROM audit_events
        WHERE tenant_id = ${tenantId}::uuid AND action = 'tool.call' AND occurred_at >= ${from} AND occurred_at < ${to}
          AND jsonb_typeof(metadata->'latencyMs') = 'number'
        GROUP BY 1
        ORDER BY 1`;
      const rateLimited = await tx.$queryRaw<{ day: string; limit: string; hits: number }[]>`
        SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
               coalesce(metadata->>'limit', 'unknown') AS "limit",
               count(*)::int AS hits
        FROM audit_events
        WHERE tenant_id = ${tenantId}::uuid AND action = 'tool.call' AND occurred_at >= ${from} AND occurred_at < ${to}
          AND metadata->>'result' = 'rate_limited'
        GROUP BY 1, 2
        ORDER BY 1, 2`;
      return {
        daily,
        latency: latency.map((row) => ({
          ...row,
          p50: Number(row.p50),
          p95: Number(row.p95),
          p99: Number(row.p99),
        })),
        rateLimited,
      };
    });
  }
}
