import { Controller, Get, Header, Res } from '@nestjs/common';
import type { LivenessResponse, ReadinessResponse } from '@gatehouse/contracts';
import type { Response } from 'express';
import { SERVICE_VERSION } from '../common/version.js';
import { ReadinessService } from './readiness.service.js';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process is up. Never touches dependencies, so a database outage does not restart pods. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  live(): LivenessResponse {
    return { status: 'ok', service: 'api', version: SERVICE_VERSION, uptimeSeconds: Math.round(process.uptime()) };
  }

  /** Readiness: 200 when Postgres and Redis answer, 503 naming the ones that do not. */
  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessResponse> {
    const report = await this.readiness.check();
    res.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
