import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { exportEvents, type AuditLog, type AuditStore } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import {
  acceptInvitationRequest,
  auditExportQuery,
  auditVerifyQuery,
  auditQuery,
  changeRoleRequest,
  createApiKeyRequest,
  createInvitationRequest,
  createTenantRequest,
  deleteTenantRequest,
} from '@gatehouse/contracts';
import { AuditRepository, type Database, type DbExecutor } from '@gatehouse/db';
import { TenancyError, TenantAdminService, type Actor } from '@gatehouse/tenancy';
import type { Request, Response } from 'express';
import { SessionGuard, type SessionRequest } from '../identity/session.guard.js';
import { API_CONFIG, AUDIT, DATABASE } from '../infrastructure/tokens.js';
import { toApiKey, toAuditEvent, toInvitation, toMember } from './mappers.js';
import { TenantActorGuard, type ActorRequest } from './tenant-actor.guard.js';

const context = (req: Request) => ({ requestId: typeof req.id === 'string' ? req.id : undefined });
const actorOf = (req: ActorRequest): Actor => req.actor!;

function requireAuditRead(actor: Actor): void {
  if (!actor.scopes.includes('audit:read'))
    throw new TenancyError('forbidden', 'This needs the audit:read permission.');
}

@Controller('api/v1')
export class TenantsController {
  private readonly auditStore: AuditStore;

  constructor(
    @Inject(TenantAdminService) private readonly tenancy: TenantAdminService,
    @Inject(AUDIT) private readonly audit: AuditLog<DbExecutor>,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(DATABASE) db: Database,
  ) {
    this.auditStore = new AuditRepository(db);
  }

  @Post('tenants')
  @UseGuards(SessionGuard)
  async create(@Body() body: unknown, @Req() req: SessionRequest) {
    const tenant = await this.tenancy.createTenant(req.session!.userId, createTenantRequest.parse(body), context(req));
    return { id: tenant.id, slug: tenant.slug, name: tenant.name, role: 'owner' as const };
  }

  @Get('tenants')
  @UseGuards(SessionGuard)
  async list(@Req() req: SessionRequest) {
    const tenants = await this.tenancy.tenantsOf(req.session!.userId);
    return { tenants: tenants.map((t) => ({ id: t.tenantId, slug: t.slug, name: t.name, role: t.role })) };
  }

  @Post('invitations/accept')
  @HttpCode(200)
  @UseGuards(SessionGuard)
  async accept(@Body() body: unknown, @Req() req: SessionRequest) {
    const input = acceptInvitationRequest.parse(body);
    const joined = await this.tenancy.acceptInvitation(req.session!.userId, input.tenant, input.token, context(req));
    return { id: joined.tenantId, slug: joined.slug, name: joined.name, role: joined.role };
  }

  @Delete('tenants/:slug')
  @HttpCode(204)
  @UseGuards(TenantActorGuard)
  async deleteTenant(@Body() body: unknown, @Req() req: ActorRequest) {
    await this.tenancy.deleteTenant(actorOf(req), deleteTenantRequest.parse(body).confirm, context(req));
  }

  // --- members -------------------------------------------------------------------------------------------

  @Get('tenants/:slug/members')
  @UseGuards(TenantActorGuard)
  async members(@Req() req: ActorRequest) {
    return { members: (await this.tenancy.listMembers(actorOf(req))).map(toMember) };
  }

  @Patch('tenants/:slug/members/:userId')
  @HttpCode(204)
  @UseGuards(TenantActorGuard)
  async changeRole(@Param('userId', ParseUUIDPipe) userId: string, @Body() body: unknown, @Req() req: ActorRequest) {
    await this.tenancy.changeRole(actorOf(req), userId, changeRoleRequest.parse(body).role, context(req));
  }

  @Delete('tenants/:slug/members/:userId')
  @HttpCode(204)
  @UseGuards(TenantActorGuard)
  async remove(@Param('userId', ParseUUIDPipe) userId: string, @Req() req: ActorRequest) {
    await this.tenancy.removeMember(actorOf(req), userId, context(req));
  }

  // --- invitations ---------------------------------------------------------------------------------------

  @Post('tenants/:slug/invitations')
  @UseGuards(TenantActorGuard)
  async invite(@Body() body: unknown, @Req() req: ActorRequest) {
    const actor = actorOf(req);
    const { invitation, token } = await this.tenancy.invite(actor, createInvitationRequest.parse(body), context(req));
    const acceptUrl = `${this.config.PUBLIC_WEB_URL}/invitations/${encodeURIComponent(actor.tenantSlug)}/${token}`;
    return { invitation: toInvitation(invitation), acceptUrl, token };
  }

  @Get('tenants/:slug/invitations')
  @UseGuards(TenantActorGuard)
  async invitations(@Req() req: ActorRequest) {
    return { invitations: (await this.tenancy.listInvitations(actorOf(req))).map(toInvitation) };
  }

  @Delete('tenants/:slug/invitations/:id')
  @HttpCode(204)
  @UseGuards(TenantActorGuard)
  async revokeInvitation(@Param('id', ParseUUIDPipe) id: string, @Req() req: ActorRequest) {
    await this.tenancy.revokeInvitation(actorOf(req), id, context(req));
  }

  // --- API keys ------------------------------------------------------------------------------------------

  @Post('tenants/:slug/api-keys')
  @UseGuards(TenantActorGuard)
  async createApiKey(@Body() body: unknown, @Req() req: ActorRequest) {
    const input = createApiKeyRequest.parse(body);
    const { apiKey, key } = await this.tenancy.createApiKey(
      actorOf(req),
      { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined },
      context(req),
    );
    return { apiKey: toApiKey(apiKey), key };
  }

  @Get('tenants/:slug/api-keys')
  @UseGuards(TenantActorGuard)
  async apiKeys(@Req() req: ActorRequest) {
    return { apiKeys: (await this.tenancy.listApiKeys(actorOf(req))).map(toApiKey) };
  }

  @Delete('tenants/:slug/api-keys/:id')
  @HttpCode(204)
  @UseGuards(TenantActorGuard)
  async revokeApiKey(@Param('id', ParseUUIDPipe) id: string, @Req() req: ActorRequest) {
    await this.tenancy.revokeApiKey(actorOf(req), id, context(req));
  }

  // --- audit ---------------------------------------------------------------------------------------------

  @Get('tenants/:slug/audit')
  @UseGuards(TenantActorGuard)
  async auditEvents(@Query() query: unknown, @Req() req: ActorRequest) {
    const actor = actorOf(req);
    requireAuditRead(actor);
    const q = auditQuery.parse(query);
    const page = await this.auditStore.list(
      actor.tenantId,
      {
        action: q.action,
        actorId: q.actorId,
        targetId: q.tool,
        clientId: q.client,
        outcome: q.outcome,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      },
      { limit: q.limit, before: q.before },
    );
    return { events: page.events.map(toAuditEvent), nextCursor: page.nextCursor };
  }

  @Get('tenants/:slug/audit/verify')
  @UseGuards(TenantActorGuard)
  async verifyAudit(@Query() query: unknown, @Req() req: ActorRequest) {
    const actor = actorOf(req);
    requireAuditRead(actor);
    const { checkpoint } = auditVerifyQuery.parse(query);
    const { tenantId: _tenant, ...report } = await this.audit.verify(actor.tenantId, checkpoint);
    return report;
  }

  @Get('tenants/:slug/audit/export')
  @UseGuards(TenantActorGuard)
  async exportAudit(@Query() query: unknown, @Req() req: ActorRequest, @Res() res: Response) {
    const actor = actorOf(req);
    requireAuditRead(actor);
    const q = auditExportQuery.parse(query);
    const filter = {
      action: q.action,
      actorId: q.actorId,
      targetId: q.tool,
      clientId: q.client,
      outcome: q.outcome,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    };
    res.status(200);
    res.setHeader('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader('content-disposition', `attachment; filename="audit-${actor.tenantSlug}.${q.format}"`);
    res.setHeader('cache-control', 'no-store');
    // Streamed page by page: memory stays flat however long the history is. A failure after the first byte
    // cannot become a problem response any more: the connection is cut so the client sees an incomplete export.
    try {
      for await (const chunk of exportEvents(this.auditStore, actor.tenantId, filter, q.format)) {
        // A client that went away never drains: stop reading pages for it (leaving the loop ends the generator).
        if (res.destroyed) return;
        if (!res.write(chunk)) await drainedOrClosed(res);
      }
      res.end();
    } catch (error) {
      if (!res.headersSent) {
        // Nothing sent yet: the failure is answered as a problem, not as a file to download.
        res.removeHeader('content-disposition');
        res.removeHeader('content-type');
        throw error;
      }
      req.log.error({ err: error }, 'audit export failed mid-stream');
      res.destroy(error instanceof Error ? error : new Error('audit export failed'));
    }
  }
}

/** Waits until `res` can take more, or is gone (then `drain` never comes). */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
