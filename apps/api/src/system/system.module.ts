import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';

@Module({ imports: [HealthModule], controllers: [SystemController], providers: [SystemService] })
export class SystemModule {}
