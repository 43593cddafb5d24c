import { BadRequestException, Controller, Get, Inject, Query, Req, UseGuards } from '@nestjs/common';
import { usageQuery, type UsageReport } from '@gatehouse/contracts';
import { UsageRepository, type Database } from '@gatehouse/db';
import { TenancyError } from '@gatehouse/tenancy';
import { DATABASE } from '../infrastructure/tokens.js';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_DAYS = 14;
const MAX_DAYS = 92;

/** The window asked for, else the last 14 UTC days including today. */
function windowOf(query: { from?: string | undefined; to?: string | undefined }): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
  if (from >= to) throw new BadRequestException('`from` must be before `to`.');
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS)
    throw new BadRequestException(`Usage covers at most ${MAX_DAYS} days at a time.`);
  return { from, to };
}

/** Tool-call usage of a tenant for the console's charts, aggregated from the audit log (same permission). */
@Controller('api/v1/tenants/:slug/usage')
export class UsageController {
  private readonly usage: UsageRepository;

  constructor(@Inject(DATABASE) db: Database) {
    this.usage = new UsageRepository(db);
  }

  @Get()
  @UseGuards(TenantActorGuard)
  async report(@Query() query: unknown, @Req() req: ActorRequest): Promise<UsageReport> {
    const actor = req.actor!;
    if (!actor.scopes.includes('audit:read'))
      throw new TenancyError('forbidden', 'This needs the audit:read permission.');
    const window = windowOf(usageQuery.parse(query));
    const rows = await this.usage.report(actor.tenantId, window);
    return {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      daily: rows.daily.map(({ day, tool, result, calls }) => ({ day, tool, result, calls })),
      latency: rows.latency.map(({ tool, calls, p50, p95, p99 }) => ({ tool, calls, p50, p95, p99 })),
      rateLimited: rows.rateLimited.map(({ day, limit, hits }) => ({ day, limit, hits })),
    };
  }
}
