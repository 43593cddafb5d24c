import { Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import { ProviderAppService } from '@gatehouse/connections';
import type { Database, DbExecutor } from '@gatehouse/db';
import type { Vault } from '@gatehouse/vault';
import { AUDIT, DATABASE, VAULT } from '../infrastructure/tokens.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { ProviderAppsController } from './provider-apps.controller.js';

@Module({
  imports: [TenancyModule],
  controllers: [ProviderAppsController],
  providers: [
    {
      provide: ProviderAppService,
      inject: [DATABASE, VAULT, AUDIT],
      useFactory: (db: Database, vault: Vault, audit: AuditLog<DbExecutor>) => new ProviderAppService(db, vault, audit),
    },
  ],
})
export class ConnectionsModule {}
