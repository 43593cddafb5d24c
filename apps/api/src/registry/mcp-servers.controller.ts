import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { createMcpServerRequest, slug as slugSchema, updateMcpServerRequest } from '@gatehouse/contracts';
import type { McpServerRecord } from '@gatehouse/db';
import { endpointUrl, McpServerService, serverRevision } from '@gatehouse/registry';
import type { Actor } from '@gatehouse/tenancy';
import { withheldFor } from '@gatehouse/tools';
import type { Request, Response } from 'express';
import { API_CONFIG } from '../infrastructure/tokens.js';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

/**
 * The revision an `If-Match` header names (RFC 9110 §13.1.1): one entity tag, strong or weak (compared as the
 * revision); `*` and no header set no condition. Several tags are refused: this API keeps one revision per server.
 */
function expectedRevision(req: Request): string | undefined {
  const header = req.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"([\x21\x23-\x7e]*)"\s*$/.exec(header);
  // An unreadable tag matches no revision: the change is refused, never made unconditionally.
  return match ? match[1]! : '\u0000';
}

@Controller('api/v1/tenants/:slug/mcp-servers')
@UseGuards(TenantActorGuard)
export class McpServersController {
  constructor(
    @Inject(McpServerService) private readonly servers: McpServerService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  private toResponse(actor: Actor, server: McpServerRecord) {
    // A member never learns which tools are kept from them (as in tools/list): they see the server as it is to them.
    const withheld = new Set(withheldFor(actor.role ?? '', server.adminOnlyTools));
    return {
      slug: server.slug,
      title: server.title,
      description: server.description,
      toolkits: server.toolkits,
      tools: server.tools.filter((tool) => !withheld.has(tool)),
      adminOnlyTools: server.adminOnlyTools.filter((tool) => !withheld.has(tool)),
      endpoint: endpointUrl(this.config.PUBLIC_API_URL, actor.tenantSlug, server.slug),
      createdAt: server.createdAt.toISOString(),
      updatedAt: server.updatedAt.toISOString(),
      revision: serverRevision(server),
    };
  }

  /** The server as the actor sees it, its revision also as the `ETag`. */
  private withTag(res: Response, actor: Actor, server: McpServerRecord) {
    const body = this.toResponse(actor, server);
    res.setHeader('etag', `"${body.revision}"`);
    return body;
  }

  @Post()
  async create(@Body() body: unknown, @Req() req: ActorRequest, @Res({ passthrough: true }) res: Response) {
    const actor = req.actor!;
    return this.withTag(
      res,
      actor,
      await this.servers.create(actor, createMcpServerRequest.parse(body), requestIdOf(req)),
    );
  }

  @Get()
  async list(@Req() req: ActorRequest) {
    const actor = req.actor!;
    return { servers: (await this.servers.list(actor)).map((server) => this.toResponse(actor, server)) };
  }

  @Get(':server')
  async get(@Param('server') server: string, @Req() req: ActorRequest, @Res({ passthrough: true }) res: Response) {
    const actor = req.actor!;
    return this.withTag(res, actor, await this.servers.get(actor, slugSchema.parse(server)));
  }

  /** `If-Match: "<revision>"` makes the change only if nobody changed the server since (else 412). */
  @Patch(':server')
  async update(
    @Param('server') server: string,
    @Body() body: unknown,
    @Req() req: ActorRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const actor = req.actor!;
    const changes = updateMcpServerRequest.parse(body);
    return this.withTag(
      res,
      actor,
      await this.servers.update(actor, slugSchema.parse(server), changes, requestIdOf(req), expectedRevision(req)),
    );
  }

  @Delete(':server')
  @HttpCode(204)
  async remove(@Param('server') server: string, @Req() req: ActorRequest) {
    await this.servers.delete(req.actor!, slugSchema.parse(server), requestIdOf(req), expectedRevision(req));
  }
}
