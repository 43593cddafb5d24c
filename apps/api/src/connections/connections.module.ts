import { Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import { ConnectionService, OutboundHttp, ProviderAppService } from '@gatehouse/connections';
import type { Database, DbExecutor } from '@gatehouse/db';
import type { Vault } from '@gatehouse/vault';
import type { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { IdentityModule } from '../identity/identity.module.js';
import { API_CONFIG, AUDIT, DATABASE, REDIS, VAULT } from '../infrastructure/tokens.js';
import { McpNotificationsModule } from '../mcp/mcp-notifications.module.js';
import { RedisNotificationHub } from '../mcp/redis-notification.hub.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { ConnectController } from './connect.controller.js';
import { ConnectRequestsController } from './connect-requests.controller.js';
import { ConnectElicitations } from './connect-elicitations.js';
import { ConnectPages } from './connect-pages.js';
import { ConnectionsController } from './connections.controller.js';
import { ProviderAppsController } from './provider-apps.controller.js';

@Module({
  imports: [TenancyModule, IdentityModule, McpNotificationsModule, OAuthModule],
  controllers: [ProviderAppsController, ConnectionsController, ConnectRequestsController, ConnectController],
  providers: [
    ConnectPages,
    {
      provide: ConnectElicitations,
      inject: [REDIS, API_CONFIG, RedisNotificationHub, AUDIT, Logger],
      useFactory: (
        redis: Redis,
        config: ApiConfig,
        notifications: RedisNotificationHub,
        audit: AuditLog,
        logger: Logger,
      ) =>
        new ConnectElicitations(redis, config.QUEUE_PREFIX, notifications, audit, (error) =>
          logger.warn({ err: error }, 'could not tell the MCP session that its elicitation completed'),
        ),
    },
    {
      provide: ProviderAppService,
      inject: [DATABASE, VAULT, AUDIT],
      useFactory: (db: Database, vault: Vault, audit: AuditLog<DbExecutor>) => new ProviderAppService(db, vault, audit),
    },
    {
      provide: OutboundHttp,
      inject: [API_CONFIG],
      // Loopback (the demo provider, local fakes) only outside production.
      useFactory: (config: ApiConfig) => new OutboundHttp({ allowLoopback: config.NODE_ENV !== 'production' }),
    },
    {
      provide: ConnectionService,
      inject: [DATABASE, VAULT, AUDIT, REDIS, OutboundHttp, API_CONFIG],
      useFactory: (
        db: Database,
        vault: Vault,
        audit: AuditLog<DbExecutor>,
        redis: Redis,
        http: OutboundHttp,
        config: ApiConfig,
      ) =>
        new ConnectionService(db, vault, audit, redis, http, {
          prefix: config.QUEUE_PREFIX,
          publicApiUrl: config.PUBLIC_API_URL,
          stateTtlSeconds: config.CONNECT_STATE_TTL,
        }),
    },
  ],
  exports: [ConnectionService, ConnectElicitations],
})
export class ConnectionsModule {}
