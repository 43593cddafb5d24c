import { Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { Database, DbExecutor } from '@gatehouse/db';
import type { ApiConfig } from '@gatehouse/config';
import { McpEndpointDirectory, McpServerService } from '@gatehouse/registry';
import { API_CONFIG, AUDIT, DATABASE } from '../infrastructure/tokens.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { McpServersController } from './mcp-servers.controller.js';
import { ToolkitsController } from './toolkits.controller.js';

@Module({
  imports: [TenancyModule],
  controllers: [McpServersController, ToolkitsController],
  providers: [
    {
      provide: McpServerService,
      inject: [DATABASE, AUDIT],
      useFactory: (db: Database, audit: AuditLog<DbExecutor>) => new McpServerService(db, audit),
    },
    {
      provide: McpEndpointDirectory,
      inject: [DATABASE, API_CONFIG],
      // Every MCP request resolves its server: a 2 s cache spares most of those lookups (docs/scaling.md).
      useFactory: (db: Database, config: ApiConfig) => new McpEndpointDirectory(db, config.PUBLIC_API_URL, 2_000),
    },
  ],
  exports: [McpEndpointDirectory],
})
export class RegistryModule {}
