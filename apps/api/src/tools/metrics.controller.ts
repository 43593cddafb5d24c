import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { GatehouseMetrics } from '@gatehouse/telemetry';
import type { Request, Response } from 'express';
import { API_CONFIG } from '../infrastructure/tokens.js';

/** Prometheus metrics (`GET /metrics`), for a scraper holding METRICS_TOKEN; off (404) without one. */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(GatehouseMetrics) private readonly metrics: GatehouseMetrics,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { status, contentType, body } = await this.metrics.scrape(
      this.config.METRICS_TOKEN,
      req.headers.authorization,
    );
    res.status(status).set({ 'content-type': contentType, 'cache-control': 'no-store' }).send(body);
  }
}
