export {
  createLogger,
  loggerOptions,
  redactRequest,
  redactResponse,
  redactUrl,
  REDACT_PATHS,
  type Logger,
  type LoggerSettings,
} from './logger.js';
export { requestIdFrom } from './request-id.js';
export { checkReadiness, pingRedis, withTimeout, type Probe, type RedisLike } from './readiness.js';
export { GatehouseMetrics } from './metrics.js';
export {
  currentTraceId,
  extractTraceContext,
  injectTraceContext,
  inSpan,
  startTracing,
  toThirdParty,
  type TraceCarrier,
  type Tracing,
} from './tracing.js';
export { withoutJobContent } from './queue-spans.js';
