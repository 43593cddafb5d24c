import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Req, UseGuards } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { connectionCallbackUrl, ConnectionService, ProviderAppService } from '@gatehouse/connections';
import { saveProviderAppRequest } from '@gatehouse/contracts';
import type { ProviderAppRecord } from '@gatehouse/db';
import { providerDisplayName } from '@gatehouse/providers';
import type { Request } from 'express';
import { API_CONFIG } from '../infrastructure/tokens.js';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

/** A tenant's OAuth apps at providers. The client secret goes in and never comes out. */
@Controller('api/v1/tenants/:slug/provider-apps')
@UseGuards(TenantActorGuard)
export class ProviderAppsController {
  constructor(
    @Inject(ProviderAppService) private readonly apps: ProviderAppService,
    @Inject(ConnectionService) private readonly connections: ConnectionService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  private toResponse(app: ProviderAppRecord) {
    return {
      providerId: app.providerId,
      providerName: providerDisplayName(app.providerId),
      clientId: app.clientId,
      allowedScopes: app.allowedScopes,
      settings: app.settings,
      redirectUri: connectionCallbackUrl(this.config.PUBLIC_API_URL),
      hasClientSecret: true as const,
      createdAt: app.createdAt.toISOString(),
      updatedAt: app.updatedAt.toISOString(),
    };
  }

  @Put(':provider')
  @HttpCode(200)
  async save(@Param('provider') provider: string, @Body() body: unknown, @Req() req: ActorRequest) {
    const { app } = await this.apps.save(req.actor!, provider, saveProviderAppRequest.parse(body), requestIdOf(req));
    return this.toResponse(app);
  }

  @Get()
  async list(@Req() req: ActorRequest) {
    return { apps: (await this.apps.list(req.actor!)).map((app) => this.toResponse(app)) };
  }

  @Delete(':provider')
  @HttpCode(204)
  async delete(@Param('provider') provider: string, @Req() req: ActorRequest): Promise<void> {
    // Every connection made with the app goes with it: revoked at the provider first, as a disconnect would.
    await this.apps.delete(req.actor!, provider, requestIdOf(req), () =>
      this.connections.revokeAllAtProvider(req.actor!.tenantId, provider),
    );
  }
}
