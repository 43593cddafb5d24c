import { apiConfigSchema, loadConfigOrExit } from '@gatehouse/config';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './app.factory.js';

const config = loadConfigOrExit(apiConfigSchema, 'api');
const app = await createApiApp(config);

// On SIGTERM/SIGINT Nest's shutdown hooks stop the listener, let in-flight requests finish and close connections.
// If that takes longer than the grace period, leave anyway rather than hang a deploy.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
  });
}

await app.listen(config.API_PORT, config.API_HOST);
app.get(Logger).log(`api listening on ${config.API_HOST}:${config.API_PORT} (public URL ${config.PUBLIC_API_URL})`);
