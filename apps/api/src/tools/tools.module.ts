import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ArgumentsDigest, AuditLog } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import {
  SYSTEM_QUEUE,
  toolCancelChannel,
  toolCancelledKey,
  TOOLS_QUEUE,
  TOOLS_QUEUE_OPTIONS,
} from '@gatehouse/contracts';
import { GatehouseMetrics } from '@gatehouse/telemetry';
import { ProviderCircuitBreaker, ToolCallLimiter } from '@gatehouse/policy';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ConnectionsModule } from '../connections/connections.module.js';
import { queueTelemetry } from '../infrastructure/queue-telemetry.js';
import {
  API_CONFIG,
  ARGUMENTS_DIGEST,
  AUDIT,
  QUEUE_REDIS,
  REDIS,
  SYSTEM_QUEUE_TOKEN,
} from '../infrastructure/tokens.js';
import { MetricsController } from './metrics.controller.js';
import { ConnectElicitations } from '../connections/connect-elicitations.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { ToolExecutor } from './tool-executor.js';
import { ToolReplyInbox } from './tool-replies.js';
import { ToolLimitsController } from './tool-limits.controller.js';

const TOOLS_QUEUE_TOKEN = Symbol('TOOLS_QUEUE');
const TOOL_REPLIES = Symbol('TOOL_REPLIES');

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
        new ToolCallLimiter(
          redis,
          config.QUEUE_PREFIX,
          {
            perTenant: config.TOOL_CALLS_PER_MINUTE_TENANT,
            perUser: config.TOOL_CALLS_PER_MINUTE_USER,
            perTool: config.TOOL_CALLS_PER_MINUTE_TOOL,
            perProvider: config.TOOL_CALLS_PER_MINUTE_PROVIDER,
          },
          config.TOOL_CALLS_PER_MINUTE_CEILING,
        ),
    },
    {
      provide: TOOLS_QUEUE_TOKEN,
      inject: [QUEUE_REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) =>
        new Queue(TOOLS_QUEUE, {
          connection: redis,
          prefix: config.QUEUE_PREFIX,
          ...TOOLS_QUEUE_OPTIONS,
          ...queueTelemetry(config),
        }),
    },
    {
      // Answers come back on this instance's own channel (payload.replyTo). A subscribed connection can do
      // nothing else, so the inbox gets its own.
      provide: TOOL_REPLIES,
      inject: [API_CONFIG, TOOLS_QUEUE_TOKEN],
      useFactory: async (config: ApiConfig, queue: Queue) => {
        const inbox = new ToolReplyInbox(
          new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }),
          config.QUEUE_PREFIX,
          queue,
        );
        await inbox.start();
        return inbox;
      },
    },
    {
      provide: ToolExecutor,
      inject: [
        TOOLS_QUEUE_TOKEN,
        TOOL_REPLIES,
        ConnectElicitations,
        ToolCallLimiter,
        ProviderCircuitBreaker,
        AUDIT,
        QUEUE_REDIS,
        API_CONFIG,
        GatehouseMetrics,
        ARGUMENTS_DIGEST,
      ],
      useFactory: (
        queue: Queue,
        replies: ToolReplyInbox,
        elicitations: ConnectElicitations,
        limiter: ToolCallLimiter,
        breaker: ProviderCircuitBreaker,
        audit: AuditLog,
        queueRedis: Redis,
        config: ApiConfig,
        metrics: GatehouseMetrics,
        digest: ArgumentsDigest,
      ) =>
        new ToolExecutor(
          queue,
          replies,
          elicitations,
          { limiter, breaker },
          audit,
          async (jobId, ttlMs, callId) => {
            // On the queue's own connection, in this order: after the job's add (even one held up by a reconnect),
            // and the mark before the announcement — a worker that missed the announcement finds the mark.
            await Promise.all([
              queueRedis.set(toolCancelledKey(config.QUEUE_PREFIX, jobId), callId, 'PX', ttlMs),
              queueRedis.publish(toolCancelChannel(config.QUEUE_PREFIX), jobId),
            ]);
          },
          metrics,
          config.PUBLIC_WEB_URL,
          config.TOOL_CALL_REPLAY_WINDOW_SECONDS * 1000,
          digest,
        ),
    },
  ],
  exports: [ToolExecutor],
})
export class ToolsModule implements OnApplicationShutdown {
  constructor(
    @Inject(TOOLS_QUEUE_TOKEN) private readonly queue: Queue,
    @Inject(TOOL_REPLIES) private readonly replies: ToolReplyInbox,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // BullMQ never closes connections it was given.
    await Promise.allSettled([this.queue.close(), this.replies.close()]);
  }
}
