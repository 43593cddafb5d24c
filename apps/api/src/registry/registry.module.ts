import { Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { Database, DbExecutor } from '@gatehouse/db';
import type { ApiConfig } from '@gatehouse/config';
import { McpEndpointDirectory, McpServerService } from '@gatehouse/registry';
import { withTimeout } from '@gatehouse/telemetry';
import { TenantAdminService } from '@gatehouse/tenancy';
import { Logger } from 'nestjs-pino';
import { API_CONFIG, AUDIT, DATABASE } from '../infrastructure/tokens.js';
import { McpNotificationsModule } from '../mcp/mcp-notifications.module.js';
import { RedisNotificationHub } from '../mcp/redis-notification.hub.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { McpServersController } from './mcp-servers.controller.js';
import { ToolkitsController } from './toolkits.controller.js';

@Module({
  imports: [TenancyModule, McpNotificationsModule],
  controllers: [McpServersController, ToolkitsController],
  providers: [
    {
      provide: McpServerService,
      inject: [DATABASE, AUDIT, RedisNotificationHub, TenantAdminService, Logger],
      // Every instance hears of a committed change: cached endpoints are dropped, connected sessions told — also
      // of a member's role change, which can change the tools they see.
      useFactory: (
        db: Database,
        audit: AuditLog<DbExecutor>,
        hub: RedisNotificationHub,
        tenancy: TenantAdminService,
        logger: Logger,
      ) => {
        const servers = new McpServerService(db, audit, (change) => hub.serverChanged(change));
        // Bounded: the role change is committed, and its request must not wait out a Redis outage to say so.
        tenancy.onRoleChanged((change) =>
          withTimeout(servers.memberRoleChanged(change), 3_000).catch((error: unknown) =>
            logger.warn({ err: error }, 'a role change could not be announced to MCP sessions'),
          ),
        );
        tenancy.onTenantDeleted((deletion) =>
          withTimeout(servers.tenantDeleted(deletion), 3_000).catch((error: unknown) =>
            logger.warn({ err: error }, "a deleted tenant's MCP sessions could not be told"),
          ),
        );
        return servers;
      },
    },
    {
      provide: McpEndpointDirectory,
      inject: [DATABASE, API_CONFIG, RedisNotificationHub],
      // Every MCP request resolves its server: a 2 s cache spares most of those lookups (docs/scaling.md), and a
      // change made through any instance drops the entry everywhere at once.
      useFactory: (db: Database, config: ApiConfig, hub: RedisNotificationHub) => {
        const directory = new McpEndpointDirectory(db, config.PUBLIC_API_URL, 2_000);
        hub.onServerChanged((change) => directory.invalidate(change.tenantSlug, change.serverSlug));
        return directory;
      },
    },
  ],
  exports: [McpEndpointDirectory],
})
export class RegistryModule {}
