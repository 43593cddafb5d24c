import { Module } from '@nestjs/common';
import type { AuditLog } from '@gatehouse/audit';
import type { ApiConfig } from '@gatehouse/config';
import { AccessCache, type AuthChangeListener, type Database, type DbExecutor } from '@gatehouse/db';
import { ConsentService, RequestBudget } from '@gatehouse/identity';
import { McpEndpointDirectory } from '@gatehouse/registry';
import type { KeyEncryptionKeyProvider } from '@gatehouse/vault';
import type { Redis } from 'ioredis';
import { IdentityModule } from '../identity/identity.module.js';
import { API_CONFIG, AUDIT, AUTH_CHANGES, DATABASE, KEYRING, REDIS, VAULT } from '../infrastructure/tokens.js';
import { RegistryModule } from '../registry/registry.module.js';
import { TenancyModule } from '../tenancy/tenancy.module.js';
import { loadAuthorizationKeys, type AuthorizationKeys } from './authorization-keys.js';
import { createAuthorizationServer } from './authorization-server.js';
import { ConsentsController } from './consents.controller.js';
import { InteractionController } from './interaction.controller.js';
import { AUTHORIZATION_BUDGET, AUTHORIZATION_KEYS, AUTHORIZATION_SERVER, REGISTRATION_BUDGET } from './oauth.tokens.js';

@Module({
  imports: [IdentityModule, TenancyModule, RegistryModule],
  controllers: [InteractionController, ConsentsController],
  providers: [
    {
      provide: AUTHORIZATION_KEYS,
      // VAULT too, though unused: its factory checks every configured key first (verifyKeyring), and nothing may
      // unwrap or re-wrap these keys with a key that has not passed it.
      inject: [DATABASE, KEYRING, VAULT],
      useFactory: (db: Database, keyring: KeyEncryptionKeyProvider) => loadAuthorizationKeys(db, keyring),
    },
    {
      provide: AUTHORIZATION_SERVER,
      inject: [API_CONFIG, DATABASE, AUTHORIZATION_KEYS, McpEndpointDirectory, AUTH_CHANGES, AUTHORIZATION_BUDGET],
      useFactory: (
        config: ApiConfig,
        db: Database,
        keys: AuthorizationKeys,
        endpoints: McpEndpointDirectory,
        authChanges: AuthChangeListener,
        authorizations: RequestBudget,
      ) =>
        createAuthorizationServer({
          config,
          db,
          keys,
          endpoints,
          accessTokens: new AccessCache(authChanges),
          documentFetches: authorizations,
        }),
    },
    {
      provide: ConsentService,
      inject: [DATABASE, AUDIT],
      useFactory: (db: Database, audit: AuditLog<DbExecutor>) => new ConsentService(db, audit),
    },
    {
      provide: REGISTRATION_BUDGET,
      inject: [REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) =>
        new RequestBudget(redis, {
          prefix: config.QUEUE_PREFIX,
          name: 'oauth:registrations',
          points: config.OAUTH_REGISTRATIONS_PER_HOUR,
          durationSeconds: 3600,
        }),
    },
    {
      // Each anonymous authorization request writes an interaction row (and may fetch a client's metadata document).
      provide: AUTHORIZATION_BUDGET,
      inject: [REDIS, API_CONFIG],
      useFactory: (redis: Redis, config: ApiConfig) =>
        new RequestBudget(redis, {
          prefix: config.QUEUE_PREFIX,
          name: 'oauth:authorizations',
          points: config.OAUTH_AUTHORIZATIONS_PER_MINUTE,
          durationSeconds: 60,
        }),
    },
  ],
  exports: [AUTHORIZATION_SERVER, ConsentService],
})
export class OAuthModule {}
