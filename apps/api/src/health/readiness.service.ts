import { Inject, Injectable } from '@nestjs/common';
import type { ReadinessResponse } from '@gatehouse/contracts';
import { pingDatabase, type Database } from '@gatehouse/db';
import { checkReadiness, pingRedis } from '@gatehouse/telemetry';
import type { Redis } from 'ioredis';
import { SERVICE_VERSION } from '../common/version.js';
import { DATABASE, REDIS_PROBE } from '../infrastructure/tokens.js';

@Injectable()
export class ReadinessService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(REDIS_PROBE) private readonly redis: Redis,
  ) {}

  check(): Promise<ReadinessResponse> {
    return checkReadiness('api', SERVICE_VERSION, {
      postgres: () => pingDatabase(this.db),
      redis: () => pingRedis(this.redis),
    });
  }
}
