import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { SYSTEM_QUEUE } from '@gatehouse/contracts';
import { coalesceWrites } from '@gatehouse/coordination';
import { randomBytes } from 'node:crypto';
import { ARGUMENTS_DIGEST_SECRET, argumentsDigester, AuditLog } from '@gatehouse/audit';
import {
  AuditRepository,
  AuthChangeListener,
  createDatabase,
  DataKeyRepository,
  KeyCheckRepository,
  PlatformKeyRepository,
  SecretRepository,
  type Database,
} from '@gatehouse/db';
import {
  loadPlatformSecret,
  Vault,
  VaultError,
  verifyKeyringOrExit,
  type KeyEncryptionKeyProvider,
} from '@gatehouse/vault';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { queueTelemetry } from './queue-telemetry.js';
import {
  API_CONFIG,
  ARGUMENTS_DIGEST,
  AUDIT,
  AUTH_CHANGES,
  DATABASE,
  KEYRING,
  QUEUE_REDIS,
  REDIS,
  REDIS_PROBE,
  SYSTEM_QUEUE_TOKEN,
  VAULT,
} from './tokens.js';

/** Owns the process's connections: created once, closed once on shutdown (after HTTP stops accepting work). */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUE_REDIS) private readonly queueRedis: Redis,
    @Inject(REDIS_PROBE) private readonly redisProbe: Redis,
    @Inject(SYSTEM_QUEUE_TOKEN) private readonly systemQueue: Queue,
    @Inject(AUTH_CHANGES) private readonly authChanges: AuthChangeListener,
  ) {}

  static register(config: ApiConfig, keyring: KeyEncryptionKeyProvider): DynamicModule {
    const providers = [
      { provide: API_CONFIG, useValue: config },
      { provide: KEYRING, useValue: keyring },
      {
        provide: DATABASE,
        useFactory: () =>
          createDatabase({
            url: config.DATABASE_URL,
            maxConnections: config.DATABASE_POOL_SIZE,
            applicationName: 'gatehouse-api',
          }),
      },
      {
        provide: AUTH_CHANGES,
        inject: [Logger],
        useFactory: async (logger: Logger) => {
          const listener = new AuthChangeListener({
            url: config.DATABASE_URL,
            applicationName: 'gatehouse-api-auth',
            // Until it is back, every MCP request reads its token from PostgreSQL (nothing is remembered).
            onError: (error) => logger.warn({ err: error }, 'auth change listener lost its connection; retrying'),
          });
          await listener.start();
          return listener;
        },
      },
      {
        provide: REDIS,
        // BullMQ requires maxRetriesPerRequest: null; commands wait for a reconnect instead of failing.
        // The commands of one event-loop turn (concurrent requests' limits and sessions) leave in one socket write:
        // writes are a large part of the api's CPU under load. Not ioredis' auto-pipelining, which costs the same
        // (docs/benchmarks.md, session 9) but sends a turn's commands from the first one's context, so their trace
        // spans landed in one request's trace (or none) instead of each in its own.
        useFactory: () =>
          coalesceWrites(new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false })),
      },
      {
        // The queues' own connection: BullMQ defines its ~50 scripts on the connection it is given (and once made
        // auto-pipelines expensive: ioredis copied them all onto each one).
        provide: QUEUE_REDIS,
        useFactory: () => coalesceWrites(new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })),
      },
      {
        provide: REDIS_PROBE,
        useFactory: () =>
          new Redis(config.REDIS_URL, {
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            connectTimeout: 2_000,
            retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
          }),
      },
      {
        provide: VAULT,
        inject: [DATABASE],
        // Nothing is sealed or opened before every configured key is known to be the deployment's own.
        useFactory: async (db: Database) => {
          await verifyKeyringOrExit('api', keyring, new KeyCheckRepository(db));
          return new Vault(keyring, new DataKeyRepository(db), new SecretRepository(db));
        },
      },
      {
        provide: AUDIT,
        inject: [DATABASE],
        useFactory: (db: Database) => new AuditLog(new AuditRepository(db)),
      },
      {
        provide: ARGUMENTS_DIGEST,
        // After the vault: the keyring is known to be the deployment's before it wraps or unwraps the digest secret.
        inject: [DATABASE, VAULT],
        useFactory: async (db: Database) => {
          const store = new PlatformKeyRepository(db);
          try {
            const { secret } = await loadPlatformSecret(keyring, store, ARGUMENTS_DIGEST_SECRET, () => randomBytes(32));
            return argumentsDigester(secret);
          } catch (cause) {
            if (!(cause instanceof VaultError)) throw cause;
            const version = (await store.find(ARGUMENTS_DIGEST_SECRET))?.kekVersion ?? '?';
            throw new Error(
              `The audit's digest secret is wrapped with vault key "${version}", which VAULT_KEYS cannot open. Put ` +
                'that key version back into VAULT_KEYS; if it is lost for good, delete the row (DELETE FROM ' +
                `oauth_models WHERE kind = 'PlatformKey' AND id = '${ARGUMENTS_DIGEST_SECRET}') and restart: a new ` +
                'secret is made, and argument digests recorded before can no longer be reproduced.',
              { cause },
            );
          }
        },
      },
      {
        provide: SYSTEM_QUEUE_TOKEN,
        inject: [QUEUE_REDIS],
        useFactory: (redis: Redis) =>
          new Queue(SYSTEM_QUEUE, { connection: redis, prefix: config.QUEUE_PREFIX, ...queueTelemetry(config) }),
      },
    ] satisfies Provider[];
    // Everything it provides is what it is for.
    return { module: InfrastructureModule, providers, exports: providers.map((provider) => provider.provide) };
  }

  async onApplicationShutdown(): Promise<void> {
    // BullMQ never closes connections it was given: close the queue, then quit each connection ourselves.
    await this.systemQueue.close();
    await Promise.allSettled([
      this.redis.quit(),
      this.queueRedis.quit(),
      this.redisProbe.quit(),
      this.db.$disconnect(),
      this.authChanges.close(),
    ]);
  }
}
