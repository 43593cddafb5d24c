import { apiConfigSchema, loadConfigOrExit } from '@gatehouse/config';
import { startTracing } from '@gatehouse/telemetry';
import { SERVICE_VERSION } from './common/version.js';

const config = loadConfigOrExit(apiConfigSchema, 'api');
// Tracing first: with an OTLP endpoint its instrumentations patch http, undici, pg and ioredis as they load, so the
// application (everything that imports them) is imported only afterwards.
const tracing = await startTracing('api', config.OTEL_EXPORTER_OTLP_ENDPOINT, SERVICE_VERSION, {
  sampler: config.OTEL_TRACES_SAMPLER,
  ratio: config.OTEL_TRACES_SAMPLER_ARG,
});
const { serveApi } = await import('./serve.js');
await serveApi(config, tracing);
