import { request as httpRequest, type IncomingMessage } from 'node:http';
import { ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import type { UndiciRequest } from '@opentelemetry/instrumentation-undici';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  httpInstrumentationConfig,
  ioredisInstrumentationConfig,
  pgInstrumentationConfig,
  queryNamesOnly,
  undiciInstrumentationConfig,
} from './instrumentations.js';
import { rootSampler, rootSamplerFor, tracingResource, type Sampling } from './tracing.js';

const incoming = (url: string) => ({ url, method: 'GET' }) as IncomingMessage;

describe('incoming HTTP spans', () => {
  const config = httpInstrumentationConfig();

  it('are not made for probes and scrapes', () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/metrics/', '/readyz?verbose=1'])
      expect(config.ignoreIncomingRequestHook!(incoming(url))).toBe(true);
    for (const url of ['/', '/t/acme/mcp/notes', '/api/v1/metrics', '/healthzz'])
      expect(config.ignoreIncomingRequestHook!(incoming(url))).toBe(false);
  });

  it('record the query with OAuth codes, state and tokens redacted', () => {
    expect(
      config.startIncomingSpanHook!(
        incoming('/api/v1/connections/callback?code=abc123&state=xyz789&iss=https%3A%2F%2Fp'),
      ),
    ).toEqual({ 'url.query': 'code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fp' });
    expect(config.startIncomingSpanHook!(incoming('/x?Access_Token=t0k3n&page=2'))).toEqual({
      'url.query': 'Access_Token=[redacted]&page=2',
    });
    expect(config.startIncomingSpanHook!(incoming('/api/v1/tenants'))).toEqual({});
  });

  it("start a trace of their own: a caller's trace context is dropped before it is read", () => {
    const request = {
      url: '/t/acme/mcp/notes',
      method: 'POST',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'x=1', host: 'h' },
    } as unknown as IncomingMessage;
    config.startIncomingSpanHook!(request);
    expect(request.headers).toEqual({ host: 'h' });
  });

  it('record no request or response header', () => {
    expect(config.headersToSpanAttributes).toBeUndefined();
  });

  it('outgoing node:http requests keep the query out of url.full', () => {
    const attributes: Record<string, unknown> = {};
    const span = { setAttribute: (key: string, value: unknown) => (attributes[key] = value) } as unknown as Span;
    const request = httpRequest({ host: '127.0.0.1', port: 9, path: '/token?refresh_token=r3fr3sh&x=1' });
    request.on('error', () => undefined);
    config.requestHook!(span, request);
    request.destroy();
    expect(attributes).toEqual({ 'url.full': 'http://127.0.0.1:9/token' });
  });
});

describe('outgoing undici spans', () => {
  const config = undiciInstrumentationConfig();
  const request = (path: string) => ({ origin: 'https://api.example.com', path, method: 'GET' }) as UndiciRequest;

  it('keep which query parameters were sent, never their values', () => {
    expect(config.startSpanHook!(request('/search/issues?q=my+private+query&per_page=5'))).toEqual({
      'url.full': 'https://api.example.com/search/issues',
      'url.query': 'q=[redacted]&per_page=[redacted]',
    });
    expect(config.startSpanHook!(request('/user'))).toEqual({});
    expect(queryNamesOnly('?flag&a=1')).toBe('flag&a=[redacted]');
  });

  it('are only made inside a trace and record no header', () => {
    expect(config.requireParentforSpans).toBe(true);
    expect(config.headersToSpanAttributes).toBeUndefined();
  });
});

describe('database spans', () => {
  it('Redis: the command name only, never keys or arguments', () => {
    const { dbStatementSerializer, requireParentSpan } = ioredisInstrumentationConfig();
    expect(dbStatementSerializer!('set', ['gatehouse:connect-state:s3cr3t', 'token-value'])).toBe('set');
    expect(dbStatementSerializer!('evalsha', ['sha', 2, 'k1', 'k2', '{"job":"payload"}'])).toBe('evalsha');
    expect(requireParentSpan).toBe(true);
  });

  it('PostgreSQL: never the parameter values', () => {
    expect(pgInstrumentationConfig()).toMatchObject({
      enhancedDatabaseReporting: false,
      requireParentSpan: true,
      addSqlCommenterCommentToQueries: false,
    });
  });
});

describe('sampling', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: rootSampler }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('test');
  afterEach(() => exporter.reset());
  afterAll(() => provider.shutdown());

  it("drops BullMQ's housekeeping traces with everything under them", () => {
    for (const name of ['getNextJob gatehouse-tools', 'extendLocks gatehouse-tools', 'moveStalledJobsToWait q']) {
      const housekeeping = tracer.startSpan(name, {}, ROOT_CONTEXT);
      tracer.startSpan('evalsha', {}, trace.setSpan(ROOT_CONTEXT, housekeeping)).end();
      housekeeping.end();
    }
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('keeps calls, and the same BullMQ operations inside a call', () => {
    const call = tracer.startSpan('tool.call', {}, ROOT_CONTEXT);
    tracer.startSpan('getNextJob gatehouse-tools', {}, trace.setSpan(ROOT_CONTEXT, call)).end();
    call.end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['getNextJob gatehouse-tools', 'tool.call']);
  });
});

describe('the standard OTEL_* variables', () => {
  const sampledOf = (sampling: Sampling, traces = 400) => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      sampler: new ParentBasedSampler({ root: rootSamplerFor(sampling) }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('test');
    for (let i = 0; i < traces; i++) {
      const call = tracer.startSpan('tool.call', {}, ROOT_CONTEXT);
      tracer.startSpan('provider.request', {}, trace.setSpan(ROOT_CONTEXT, call)).end();
      call.end();
    }
    const spans = exporter.getFinishedSpans();
    // Whole traces: a kept call keeps its children.
    expect(spans.filter((span) => span.name === 'provider.request')).toHaveLength(spans.length / 2);
    return spans.length / 2;
  };

  it('OTEL_TRACES_SAMPLER(_ARG): a share of the traces, none, or all', () => {
    const kept = sampledOf({ sampler: 'parentbased_traceidratio', ratio: 0.25 });
    expect(kept).toBeGreaterThan(40);
    expect(kept).toBeLessThan(160);
    expect(sampledOf({ sampler: 'always_off' })).toBe(0);
    expect(sampledOf({ sampler: 'parentbased_always_off' })).toBe(0);
    expect(sampledOf({ sampler: 'traceidratio' })).toBe(400);
    expect(sampledOf({ sampler: 'jaeger_remote', ratio: 0 })).toBe(400);
    expect(sampledOf({})).toBe(400);
  });

  it('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win; each process has an instance id', () => {
    const saved = { name: process.env.OTEL_SERVICE_NAME, attributes: process.env.OTEL_RESOURCE_ATTRIBUTES };
    try {
      delete process.env.OTEL_SERVICE_NAME;
      process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=staging';
      const plain = tracingResource('api', '1.2.3').attributes;
      expect(plain).toMatchObject({
        'service.name': 'gatehouse-api',
        'service.version': '1.2.3',
        'deployment.environment.name': 'staging',
      });
      expect(plain['service.instance.id']).toEqual(expect.any(String));
      process.env.OTEL_SERVICE_NAME = 'gatehouse-api-eu';
      expect(tracingResource('api', '1.2.3').attributes['service.name']).toBe('gatehouse-api-eu');
    } finally {
      for (const [key, value] of [
        ['OTEL_SERVICE_NAME', saved.name],
        ['OTEL_RESOURCE_ATTRIBUTES', saved.attributes],
      ] as const)
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  });
});
