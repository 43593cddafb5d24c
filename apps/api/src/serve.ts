import type { ApiConfig } from '@gatehouse/config';
import type { Tracing } from '@gatehouse/telemetry';
import { loadKeyringOrExit } from '@gatehouse/vault';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './app.factory.js';

/** Builds the api, listens, and on SIGTERM/SIGINT shuts down gracefully (then flushes the last spans). */
export async function serveApi(config: ApiConfig, tracing: Tracing): Promise<void> {
  const app = await createApiApp(config, loadKeyringOrExit('api', config.VAULT_KEYS, config.VAULT_ACTIVE_KEY));

  // On SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish, run shutdown hooks (queues and
  // connections close), then exit 0. If that takes longer than the grace period, leave anyway rather than hang a
  // deploy.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const logger = app.get(Logger);
      logger.log(`${signal} received: finishing in-flight requests`);
      setTimeout(() => {
        logger.error('shutdown grace period elapsed; exiting anyway');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
      app
        .close()
        .then(() => tracing.shutdown())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(error, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }

  await app.listen(config.API_PORT, config.API_HOST);
  app.get(Logger).log(`api listening on ${config.API_HOST}:${config.API_PORT} (public URL ${config.PUBLIC_API_URL})`);
}
