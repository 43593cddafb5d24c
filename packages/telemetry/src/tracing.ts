import {
  context,
  createContextKey,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  detectResources,
  envDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';

/** W3C trace context as carried in a job payload (`traceparent`, optional `tracestate`). */
export interface TraceCarrier {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

export interface Tracing {
  /** Whether spans are recorded and exported (an OTLP endpoint is configured). */
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * BullMQ housekeeping that starts a trace of its own when telemetry is on: idle polls, lock renewals, stalled-job
 * checks. Dropped at the root (so their Redis commands are not recorded either); the same operations inside a call's
 * trace (`getNextJob` for a job that carries trace context) are kept.
 */
const UNTRACED_ROOTS = /^(getNextJob|extendLocks|startStalledCheckTimer|moveStalledJobsToWait)( |$)/;

/** The standard sampling variables, as the app's configuration read them. */
export interface Sampling {
  /** OTEL_TRACES_SAMPLER */
  sampler?: string | undefined;
  /** OTEL_TRACES_SAMPLER_ARG (0–1) */
  ratio?: number | undefined;
}

/**
 * Whether a trace starts: BullMQ housekeeping never; otherwise as the standard variables say — `OTEL_TRACES_SAMPLER`
 * `traceidratio` or `parentbased_traceidratio` with `OTEL_TRACES_SAMPLER_ARG` (0–1) keeps that share of traces,
 * `always_off` or `parentbased_always_off` none, anything else (unset) all. Always parent-based: a trace the api
 * keeps, the worker keeps (a caller's own `traceparent` never reaches here: the api starts every trace itself).
 */
export function rootSamplerFor({ sampler, ratio = 1 }: Sampling = {}): Sampler {
  const kind = sampler?.trim().toLowerCase();
  const share =
    kind === 'always_off' || kind === 'parentbased_always_off'
      ? 0
      : (kind === 'traceidratio' || kind === 'parentbased_traceidratio') && ratio >= 0 && ratio <= 1
        ? ratio
        : 1;
  const ratioSampler = share < 1 ? new TraceIdRatioBasedSampler(share) : undefined;
  return {
    shouldSample(context, traceId, spanName, spanKind): SamplingResult {
      if (spanKind === SpanKind.INTERNAL && UNTRACED_ROOTS.test(spanName))
        return { decision: SamplingDecision.NOT_RECORD };
      return ratioSampler
        ? ratioSampler.shouldSample(context, traceId)
        : { decision: SamplingDecision.RECORD_AND_SAMPLED };
    },
    toString: () => `GatehouseRootSampler{${share}}`,
  };
}

/** Every trace except BullMQ housekeeping (`rootSamplerFor` without sampling variables). */
export const rootSampler: Sampler = rootSamplerFor({});

/**
 * This process's resource: `gatehouse-<service>` and its version, a `service.instance.id` of its own (replicas apart),
 * then whatever `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` say (they win).
 */
export function tracingResource(service: string, version: string): Resource {
  return resourceFromAttributes({ 'service.name': `gatehouse-${service}`, 'service.version': version }).merge(
    detectResources({ detectors: [serviceInstanceIdDetector, envDetector] }),
  );
}

/**
 * Sets up OpenTelemetry tracing for this process: context propagation always (W3C trace context, async-local
 * storage), and — when `endpoint` is given (OTEL_EXPORTER_OTLP_ENDPOINT) — an OTLP/HTTP exporter sending batches
 * to `<endpoint>/v1/traces` plus automatic spans for incoming and outgoing HTTP, PostgreSQL and Redis
 * (`instrumentLibraries`). Those patch modules as they load, so call this before importing the application.
 * Without an endpoint nothing is patched or loaded and spans are no-ops that cost next to nothing.
 */
export async function startTracing(
  service: string,
  endpoint: string | undefined,
  version = '0.0.0',
  sampling: Sampling = {},
): Promise<Tracing> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new FirstPartyPropagator(new W3CTraceContextPropagator()));
  if (!endpoint) return { enabled: false, shutdown: async () => {} };
  const provider = new TracerProvider({
    resource: tracingResource(service, version),
    sampler: new ParentBasedSampler({ root: rootSamplerFor(sampling) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
        scheduledDelayMillis: 500,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  // Loaded only here: without an endpoint the instrumentation packages are never even imported.
  const { instrumentLibraries } = await import('./instrumentations.js');
  instrumentLibraries(provider);
  return { enabled: true, shutdown: () => provider.shutdown() };
}

const TO_THIRD_PARTY = createContextKey('gatehouse.to-third-party');

/**
 * Runs `send` — a request to a third party (a provider's API, a client's metadata document) — so that no trace
 * context is written into it: its span stays in Gatehouse's trace, but the provider is not handed the trace id (nor
 * any `tracestate`) that ties the person's calls together. Trace context crosses only Gatehouse's own hops.
 */
export function toThirdParty<T>(send: () => T): T {
  return context.with(context.active().setValue(TO_THIRD_PARTY, true), send);
}

/** W3C trace context, written into nothing sent inside `toThirdParty`. */
export class FirstPartyPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    if (ctx.getValue(TO_THIRD_PARTY) !== true) this.inner.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(ctx, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
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
