import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import type { AuditLog } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import type { Database } from '@gatehouse/db';
import { AccountService, SessionStore } from '@gatehouse/identity';
import type { Redis } from 'ioredis';
import { API_CONFIG, AUDIT, DATABASE, REDIS } from '../infrastructure/tokens.js';
import { AuthController } from './auth.controller.js';
import { LocalStrategy } from './local.strategy.js';
import { OriginGuard } from './origin.guard.js';
import { SessionCookie } from './session-cookie.js';
import { SessionGuard } from './session.guard.js';

@Module({
  imports: [PassportModule],
  controllers: [AuthController],
  providers: [
    {
      provide: AccountService,
      inject: [DATABASE, REDIS, AUDIT, API_CONFIG],
      useFactory: (db: Database, redis: Redis, audit: AuditLog, config: ApiConfig) =>
        new AccountService(db, redis, audit, { prefix: config.QUEUE_PREFIX, signUpsPerHour: config.SIGN_UPS_PER_HOUR }),
    },
    {
      provide: SessionStore,
      inject: [REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) => new SessionStore(redis, { prefix: config.QUEUE_PREFIX }),
    },
    { provide: SessionCookie, inject: [API_CONFIG], useFactory: (config: ApiConfig) => new SessionCookie(config) },
    LocalStrategy,
    OriginGuard,
    SessionGuard,
  ],
  exports: [AccountService, SessionStore, SessionCookie, SessionGuard],
})
export class IdentityModule {}
