import { loadConfigOrExit, workerConfigSchema } from '@gatehouse/config';
import { createLogger, startTracing } from '@gatehouse/telemetry';
import { loadKeyringOrExit } from '@gatehouse/vault';
import { SERVICE_VERSION } from './version.js';

const config = loadConfigOrExit(workerConfigSchema, 'worker');
// Encryption is never optional: the worker will decrypt users' tokens, so it does not start without its keys.
loadKeyringOrExit('worker', config.VAULT_KEYS, config.VAULT_ACTIVE_KEY);
// Tracing before the runtime is imported: with an OTLP endpoint its instrumentations patch http, undici, pg and
// ioredis as they load.
const tracing = await startTracing('worker', config.OTEL_EXPORTER_OTLP_ENDPOINT, SERVICE_VERSION, {
  sampler: config.OTEL_TRACES_SAMPLER,
  ratio: config.OTEL_TRACES_SAMPLER_ARG,
});
const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL });
const { startWorker } = await import('./runtime.js');
const runtime = await startWorker(config, logger);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutdown requested');
    setTimeout(() => {
      logger.error('shutdown grace period elapsed; exiting with jobs still active');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    runtime
      .stop()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
