import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ConnectionsError, ConnectionService, type ConnectionView } from '@gatehouse/connections';
import { startConnectionRequest } from '@gatehouse/contracts';
import type { Request } from 'express';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';
import { ConnectElicitations } from './connect-elicitations.js';
import { ConnectPages } from './connect-pages.js';

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

/** The signed-in person's own connections to providers. Tokens never appear here. */
@Controller('api/v1/tenants/:slug/connections')
@UseGuards(TenantActorGuard)
export class ConnectionsController {
  constructor(
    @Inject(ConnectionService) private readonly connections: ConnectionService,
    @Inject(ConnectPages) private readonly pages: ConnectPages,
    @Inject(ConnectElicitations) private readonly elicitations: ConnectElicitations,
  ) {}

  private toResponse(slug: string, { connection, providerName }: ConnectionView) {
    return {
      id: connection.id,
      providerId: connection.providerId,
      providerName,
      externalAccountId: connection.externalAccountId,
      accountLabel: connection.accountLabel,
      scopes: connection.scopes,
      status: connection.status,
      accessExpiresAt: connection.accessExpiresAt?.toISOString() ?? null,
      lastUsedAt: connection.lastUsedAt?.toISOString() ?? null,
      createdAt: connection.createdAt.toISOString(),
      updatedAt: connection.updatedAt.toISOString(),
      connectUrl: this.pages.url(slug, connection.providerId, []),
    };
  }

  @Get()
  async list(@Req() req: ActorRequest) {
    const actor = req.actor!;
    return { connections: (await this.connections.list(actor)).map((view) => this.toResponse(actor.tenantSlug, view)) };
  }

  @Post(':provider/authorize')
  @HttpCode(200)
  async authorize(@Param('provider') provider: string, @Body() body: unknown, @Req() req: ActorRequest) {
    const input = startConnectionRequest.parse(body ?? {});
    if (input.elicitationId !== undefined) {
      const actor = req.actor!;
      if (!actor.userId)
        throw new ConnectionsError('person_required', 'Only the person an AI client asked for can use its link.');
      await this.elicitations.verify(
        input.elicitationId,
        { tenantId: actor.tenantId, userId: actor.userId, providerId: provider },
        requestIdOf(req),
      );
      await this.elicitations.holdForFlow(input.elicitationId);
    }
    const started = await this.connections.start(req.actor!, provider, input, requestIdOf(req));
    return { ...started, expiresAt: started.expiresAt.toISOString() };
  }

  @Delete(':provider')
  @HttpCode(200)
  async disconnect(@Param('provider') provider: string, @Req() req: ActorRequest) {
    return this.connections.disconnect(req.actor!, provider, requestIdOf(req));
  }
}
