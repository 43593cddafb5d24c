import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ApiConfig } from '@gatehouse/config';
import type { KeyEncryptionKeyProvider } from '@gatehouse/vault';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { corsFor } from './common/cors.js';
import { mountAuthorizationServer } from './oauth/mount.js';

/** Builds the api application (used by main.ts and by tests, which listen on a port of their own). */
export async function createApiApp(
  config: ApiConfig,
  keyring: KeyEncryptionKeyProvider,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, keyring), {
    bufferLogs: true,
    bodyParser: true,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY);
  // Before any body parser: the authorization server reads its own request bodies.
  mountAuthorizationServer(app);
  app.useBodyParser('json', { limit: '1mb' });
  app.enableCors(corsFor(config));
  await app.init();
  return app;
}
