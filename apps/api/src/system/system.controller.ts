import { Controller, Get, Header } from '@nestjs/common';
import type { SystemStatusResponse } from '@gatehouse/contracts';
import { SystemService } from './system.service.js';

@Controller('api/v1/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get('status')
  @Header('Cache-Control', 'no-store')
  status(): Promise<SystemStatusResponse> {
    return this.system.status();
  }
}
