import {
  context,
  propagation,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** W3C trace context as carried in a job payload (`traceparent`, optional `tracestate`). */
export interface TraceCarrier {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Sets up OpenTelemetry tracing for this process: context propagation always (W3C trace context, async-local
 * storage), and — when `endpoint` is given (OTEL_EXPORTER_OTLP_ENDPOINT) — an OTLP/HTTP exporter sending batches
 * to `<endpoint>/v1/traces`. Without an endpoint spans are no-ops and cost next to nothing.
 */
export function startTracing(service: string, endpoint: string | undefined, version = '0.0.0'): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (!endpoint) return { shutdown: async () => {} };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': `gatehouse-${service}`, 'service.version': version }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
        scheduledDelayMillis: 500,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  return { shutdown: () => provider.shutdown() };
}

const tracer = () => trace.getTracer('gatehouse');

/** Runs `work` in a span (a child of the active one, or of `parent`); records failures; always ends it. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : new Error(String(error)));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active trace context as a carrier for a queued job. */
export function injectTraceContext(): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context a job's carrier describes (its spans become children of the caller's). */
export function extractTraceContext(carrier: TraceCarrier | undefined): Context {
  const headers: Record<string, string> = {};
  if (carrier?.traceparent) headers.traceparent = carrier.traceparent;
  if (carrier?.tracestate) headers.tracestate = carrier.tracestate;
  return propagation.extract(context.active(), headers);
}

/** The active trace id, or undefined outside a (sampled, real) span. */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
