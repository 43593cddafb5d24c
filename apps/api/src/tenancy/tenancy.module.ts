import { Controller, Get, Inject, Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import { openApiDocument } from '@gatehouse/contracts';
import type { Database, DbExecutor } from '@gatehouse/db';
import { TenantAdminService } from '@gatehouse/tenancy';
import { IdentityModule } from '../identity/identity.module.js';
import { API_CONFIG, AUDIT, DATABASE } from '../infrastructure/tokens.js';
import { TenantActorGuard } from './tenant-actor.guard.js';
import { TenantsController } from './tenants.controller.js';

@Controller('api')
class ApiDocsController {
  private readonly document: object;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.document = openApiDocument(config.PUBLIC_API_URL);
  }

  /** OpenAPI 3.1, generated from the zod contracts the api validates with. */
  @Get('docs')
  docs(): object {
    return this.document;
  }
}

@Module({
  imports: [IdentityModule],
  controllers: [TenantsController, ApiDocsController],
  providers: [
    {
      provide: TenantAdminService,
      inject: [DATABASE, AUDIT],
      useFactory: (db: Database, audit: AuditLog<DbExecutor>) => new TenantAdminService(db, audit),
    },
    TenantActorGuard,
  ],
  exports: [TenantActorGuard, TenantAdminService, IdentityModule],
})
export class TenancyModule {}
