import type { ApiConfig } from '@gatehouse/config';
import { withoutJobContent } from '@gatehouse/telemetry';
import { BullMQOtel } from 'bullmq-otel';

/**
 * BullMQ's own spans on a queue (the enqueue, under the caller's span), when tracing is on; nothing when it is off.
 * bullmq-otel reports through the global tracer provider, propagator and context manager `startTracing` installs;
 * its spans never carry a job's content (`withoutJobContent`).
 */
export function queueTelemetry(config: Pick<ApiConfig, 'OTEL_EXPORTER_OTLP_ENDPOINT'>): { telemetry?: BullMQOtel } {
  return config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? { telemetry: withoutJobContent(new BullMQOtel({ tracerName: 'bullmq' })) }
    : {};
}
