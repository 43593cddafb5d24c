import { Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { Database, DbExecutor } from '@gatehouse/db';
import { McpServerService } from '@gatehouse/registry';
import { AUDIT, DATABASE } from '../infrastructure/tokens.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { McpServersController } from './mcp-servers.controller.js';

@Module({
  imports: [TenancyModule],
  controllers: [McpServersController],
  providers: [
    {
      provide: McpServerService,
      inject: [DATABASE, AUDIT],
      useFactory: (db: Database, audit: AuditLog<DbExecutor>) => new McpServerService(db, audit),
    },
  ],
})
export class RegistryModule {}
