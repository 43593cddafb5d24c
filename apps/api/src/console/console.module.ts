import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { ProvidersController } from './providers.controller.js';
import { UsageController } from './usage.controller.js';

/** Reads only the web console needs: the provider catalog and tool-call usage. */
@Module({
  imports: [TenancyModule],
  controllers: [ProvidersController, UsageController],
})
export class ConsoleModule {}
