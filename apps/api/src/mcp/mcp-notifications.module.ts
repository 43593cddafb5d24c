import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { API_CONFIG, REDIS } from '../infrastructure/tokens.js';
import { RedisNotificationHub } from './redis-notification.hub.js';

/**
 * The hub that carries server-initiated MCP notifications between api instances (Redis pub/sub) to the sessions'
 * GET streams. A module of its own, because the registry (server changes), the connect flow (finished
 * elicitations) and the MCP endpoint (the streams) all use the one instance of the process.
 */
@Module({
  providers: [
    {
      // A subscribed connection can do nothing else: the hub gets one of its own.
      provide: RedisNotificationHub,
      inject: [REDIS, API_CONFIG, Logger],
      useFactory: async (redis: Redis, config: ApiConfig, logger: Logger) => {
        const hub = new RedisNotificationHub(
          redis,
          new Redis(config.REDIS_URL, { lazyConnect: false }),
          config.QUEUE_PREFIX,
          config.PUBLIC_API_URL,
          (error) => logger.warn({ err: error }, 'MCP notifications could not use Redis'),
        );
        await hub.start();
        return hub;
      },
    },
  ],
  exports: [RedisNotificationHub],
})
export class McpNotificationsModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(@Inject(RedisNotificationHub) private readonly hub: RedisNotificationHub) {}

  // Before the HTTP server closes: it waits for open connections, and a GET stream never ends by itself.
  beforeApplicationShutdown(): void {
    this.hub.closeStreams();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
  }
}
