import {
  Inject,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { Redis } from 'ioredis';
import { Logger, PinoLogger } from 'nestjs-pino';
import type Provider from 'oidc-provider';
import { TenantAdminService } from '@gatehouse/tenancy';
import { API_CONFIG, REDIS } from '../infrastructure/tokens.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { AUTHORIZATION_SERVER } from '../oauth/oauth.tokens.js';
import { RegistryModule } from '../registry/registry.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { McpController } from './mcp.controller.js';
import { MCP_ROUTE, mcpRequestLog } from './mcp-request-log.js';
import { McpNotificationsModule } from './mcp-notifications.module.js';
import { McpRequestHandler } from './mcp-request.handler.js';
import { McpSessionStore } from './mcp-sessions.js';
import { MCP_RELAY } from './mcp.tokens.js';
import { RedisMessageRelay } from './redis-message.relay.js';
import { McpResourceServer } from './resource-server.js';

@Module({
  imports: [OAuthModule, RegistryModule, TenancyModule, ToolsModule, McpNotificationsModule],
  controllers: [McpController],
  providers: [
    McpRequestHandler,
    {
      provide: McpResourceServer,
      inject: [AUTHORIZATION_SERVER, TenantAdminService],
      useFactory: (provider: Provider, tenancy: TenantAdminService) =>
        new McpResourceServer(provider, (tenantId, userId) => tenancy.roleOf(tenantId, userId)),
    },
    {
      // A subscribed connection can do nothing else: the relay gets one of its own.
      provide: MCP_RELAY,
      inject: [REDIS, API_CONFIG, Logger],
      useFactory: async (redis: Redis, config: ApiConfig, logger: Logger) => {
        const relay = new RedisMessageRelay(
          redis,
          new Redis(config.REDIS_URL, { lazyConnect: false }),
          config.QUEUE_PREFIX,
          (error) => logger.warn({ err: error }, 'MCP relay could not update Redis'),
        );
        await relay.start();
        return relay;
      },
    },
    {
      provide: McpSessionStore,
      inject: [REDIS, API_CONFIG],
      useFactory: async (redis: Redis, config: ApiConfig) => {
        // Its own subscribed connection: hears session changes made by other instances (see McpSessionStore).
        const sessions = new McpSessionStore(redis, config.QUEUE_PREFIX, new Redis(config.REDIS_URL));
        await sessions.listen();
        return sessions;
      },
    },
  ],
})
export class McpModule implements NestModule, OnApplicationShutdown {
  constructor(
    @Inject(MCP_RELAY) private readonly relay: RedisMessageRelay,
    @Inject(McpSessionStore) private readonly sessions: McpSessionStore,
    @Inject(PinoLogger) private readonly logging: PinoLogger,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    // Excluded from pino-http (AppModule): request id and log line come from here.
    consumer.apply(mcpRequestLog(this.logging)).forRoutes({ path: MCP_ROUTE, method: RequestMethod.ALL });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.relay.close(), this.sessions.close()]);
  }
}
