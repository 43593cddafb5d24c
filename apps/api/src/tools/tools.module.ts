import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import { SYSTEM_QUEUE, TOOLS_QUEUE } from '@gatehouse/contracts';
import { GatehouseMetrics } from '@gatehouse/telemetry';
import { ProviderCircuitBreaker, ToolCallLimiter } from '@gatehouse/policy';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ConnectionsModule } from '../connections/connections.module.js';
import { queueTelemetry } from '../infrastructure/queue-telemetry.js';
import { API_CONFIG, AUDIT, REDIS, SYSTEM_QUEUE_TOKEN } from '../infrastructure/tokens.js';
import { MetricsController } from './metrics.controller.js';
import { ConnectElicitations } from '../connections/connect-elicitations.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { ToolExecutor } from './tool-executor.js';
import { ToolLimitsController } from './tool-limits.controller.js';

const TOOLS_QUEUE_TOKEN = Symbol('TOOLS_QUEUE');
const TOOL_EVENTS = Symbol('TOOL_EVENTS');

interface ToolEvents {
  events: QueueEvents;
  connection: Redis;
}

@Module({
  imports: [ConnectionsModule, TenancyModule],
  controllers: [ToolLimitsController, MetricsController],
  providers: [
    {
      provide: GatehouseMetrics,
      inject: [TOOLS_QUEUE_TOKEN, SYSTEM_QUEUE_TOKEN],
      useFactory: (tools: Queue, system: Queue) =>
        new GatehouseMetrics('api', async () => ({
          [TOOLS_QUEUE]: await tools.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
          [SYSTEM_QUEUE]: await system.getJobCounts('waiting', 'active', 'delayed', 'failed'),
        })),
    },
    {
      provide: ProviderCircuitBreaker,
      inject: [REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) =>
        new ProviderCircuitBreaker(redis, config.QUEUE_PREFIX, {
          failureThreshold: config.PROVIDER_CIRCUIT_FAILURES,
          windowSeconds: 60,
          openSeconds: config.PROVIDER_CIRCUIT_OPEN_SECONDS,
        }),
    },
    {
      provide: ToolCallLimiter,
      inject: [REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) =>
        new ToolCallLimiter(redis, config.QUEUE_PREFIX, {
          perTenant: config.TOOL_CALLS_PER_MINUTE_TENANT,
          perUser: config.TOOL_CALLS_PER_MINUTE_USER,
          perTool: config.TOOL_CALLS_PER_MINUTE_TOOL,
          perProvider: config.TOOL_CALLS_PER_MINUTE_PROVIDER,
        }),
    },
    {
      provide: TOOLS_QUEUE_TOKEN,
      inject: [REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) =>
        new Queue(TOOLS_QUEUE, { connection: redis, prefix: config.QUEUE_PREFIX, ...queueTelemetry(config) }),
    },
    {
      // Finished jobs are announced on a Redis stream every api instance reads: the answer reaches the instance
      // whose request waits, whichever worker ran the call. It blocks on its connection, so it gets its own.
      provide: TOOL_EVENTS,
      inject: [API_CONFIG],
      useFactory: async (config: ApiConfig) => {
        const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
        const events = new QueueEvents(TOOLS_QUEUE, {
          connection,
          prefix: config.QUEUE_PREFIX,
          ...queueTelemetry(config),
        });
        await events.waitUntilReady();
        return { events, connection };
      },
    },
    {
      provide: ToolExecutor,
      inject: [
        TOOLS_QUEUE_TOKEN,
        TOOL_EVENTS,
        ConnectElicitations,
        ToolCallLimiter,
        ProviderCircuitBreaker,
        AUDIT,
        REDIS,
        API_CONFIG,
        GatehouseMetrics,
      ],
      useFactory: (
        queue: Queue,
        { events }: ToolEvents,
        elicitations: ConnectElicitations,
        limiter: ToolCallLimiter,
        breaker: ProviderCircuitBreaker,
        audit: AuditLog,
        redis: Redis,
        config: ApiConfig,
        metrics: GatehouseMetrics,
      ) =>
        new ToolExecutor(
          queue,
          events,
          elicitations,
          { limiter, breaker },
          audit,
          async (jobId) => {
            await redis.publish(`${config.QUEUE_PREFIX}:tool-cancel`, jobId);
          },
          metrics,
          config.PUBLIC_WEB_URL,
        ),
    },
  ],
  exports: [ToolExecutor],
})
export class ToolsModule implements OnApplicationShutdown {
  constructor(
    @Inject(TOOLS_QUEUE_TOKEN) private readonly queue: Queue,
    @Inject(TOOL_EVENTS) private readonly events: ToolEvents,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // BullMQ never closes connections it was given.
    await Promise.allSettled([this.queue.close(), this.events.events.close()]);
    await this.events.connection.quit().catch(() => undefined);
  }
}
