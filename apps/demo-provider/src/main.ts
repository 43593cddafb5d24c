import { createLogger } from '@gatehouse/telemetry';
import { loadDemoProviderConfig } from './config.js';
import { startDemoProvider } from './server.js';

const config = loadDemoProviderConfig();
const logger = createLogger({ service: 'demo-provider', level: config.LOG_LEVEL });
const provider = await startDemoProvider(config, logger);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutdown requested');
    provider.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
