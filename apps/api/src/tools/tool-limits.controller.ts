import { Body, Controller, Get, Inject, Put, Req, UseGuards } from '@nestjs/common';
import { toolLimitsRequest } from '@gatehouse/contracts';
import type { ToolLimits } from '@gatehouse/db';
import { ToolCallLimiter } from '@gatehouse/policy';
import { TenantAdminService } from '@gatehouse/tenancy';
import type { Request } from 'express';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

/** A tenant's tool-call rate limits. Changes reach every api within the endpoint cache's 2 s. */
@Controller('api/v1/tenants/:slug/tool-limits')
@UseGuards(TenantActorGuard)
export class ToolLimitsController {
  constructor(
    @Inject(TenantAdminService) private readonly tenancy: TenantAdminService,
    @Inject(ToolCallLimiter) private readonly limiter: ToolCallLimiter,
  ) {}

  /** The request schema with the operator's caps: a value above its cap is refused, never silently lowered. */
  private readonly request = toolLimitsRequest.superRefine((limits, context) => {
    for (const name of Object.keys(limits) as (keyof ToolLimits)[]) {
      const value = limits[name];
      const cap = this.limiter.ceilings[name];
      if (value !== undefined && value > cap) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `This deployment allows at most ${cap} calls per minute for ${name} (its default, or TOOL_CALLS_PER_MINUTE_CEILING if higher).`,
        });
      }
    }
  });

  private view(overrides: ToolLimits) {
    return { overrides, effective: this.limiter.limitsFor(overrides), ceilings: this.limiter.ceilings };
  }

  @Get()
  async get(@Req() req: ActorRequest) {
    return this.view(await this.tenancy.toolLimits(req.actor!));
  }

  @Put()
  async put(@Body() body: unknown, @Req() req: ActorRequest) {
    const limits = this.request.parse(body ?? {});
    const clean: ToolLimits = {};
    for (const [key, value] of Object.entries(limits)) if (value !== undefined) clean[key as keyof ToolLimits] = value;
    return this.view(await this.tenancy.setToolLimits(req.actor!, clean, { requestId: requestIdOf(req) }));
  }
}
