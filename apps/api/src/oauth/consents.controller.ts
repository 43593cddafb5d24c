import { Controller, Delete, Get, HttpCode, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import type { OAuthConsentRecord } from '@gatehouse/db';
import { ConsentService, type ConsentOwner } from '@gatehouse/identity';
import { TenancyError } from '@gatehouse/tenancy';
import type { Request } from 'express';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

function toResponse(consent: OAuthConsentRecord) {
  return {
    id: consent.id,
    clientId: consent.clientId,
    clientName: consent.clientName,
    resource: consent.resource,
    scopes: consent.scopes,
    createdAt: consent.createdAt.toISOString(),
    updatedAt: consent.updatedAt.toISOString(),
  };
}

/** Consent is a person's own: API keys act for nobody and cannot see or revoke it. */
function ownerOf(req: ActorRequest): ConsentOwner {
  const actor = req.actor!;
  if (!actor.userId) throw new TenancyError('forbidden', 'Consents belong to people; sign in to manage yours.');
  return { tenantId: actor.tenantId, userId: actor.userId };
}

/** The signed-in person's remembered consents for MCP clients in one tenant, and their revocation. */
@Controller('api/v1/tenants/:slug/oauth-consents')
@UseGuards(TenantActorGuard)
export class ConsentsController {
  constructor(@Inject(ConsentService) private readonly consents: ConsentService) {}

  @Get()
  async list(@Req() req: ActorRequest) {
    return { consents: (await this.consents.list(ownerOf(req))).map(toResponse) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @Req() req: ActorRequest): Promise<void> {
    const owner = ownerOf(req);
    const parsed = z.uuid().safeParse(id);
    if (!parsed.success || !(await this.consents.revoke(owner, parsed.data, requestIdOf(req))))
      throw new TenancyError('not_found', 'No such consent.');
  }
}
