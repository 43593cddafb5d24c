import type { Attributes, TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation, type IORedisInstrumentationConfig } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation, type PgInstrumentationConfig } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation, type UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { register as registerImportHooks } from 'import-in-the-middle/register-hooks.mjs';
import { redactUrl } from './logger.js';

/**
 * Modules the instrumentations patch that ESM code imports directly. Only these go through import-in-the-middle's
 * loader hook (everything else loads untouched); CommonJS `require`s are caught by require-in-the-middle.
 */
const HOOKED_MODULES = ['http', 'https', 'node:http', 'node:https', 'ioredis', 'pg', 'pg-pool'];

/** Probes and scrapes: polled all day, never part of a call. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0]!;
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `?a=1&b=2` → `a=[redacted]&b=[redacted]`: which parameters were sent, never what. */
export function queryNamesOnly(search: string): string {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (!query) return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=[redacted]`;
    })
    .join('&');
}

/**
 * Incoming requests: one SERVER span each (probes and scrapes excepted), named after the matched route, each the root
 * of a trace of its own: a caller's `traceparent`/`tracestate` are dropped before the instrumentation reads them, so
 * no client chooses the trace id its calls' spans and audit records carry (or joins another's trace). No header is
 * recorded (Authorization, cookies and session ids stay out); `url.query` has credential parameters (OAuth `code`,
 * `state`, tokens) redacted. Outgoing requests made with node:http (the OTLP exporter's own are never traced) get
 * a CLIENT span only inside a trace, with the query values left out of `url.full`.
 */
export function httpInstrumentationConfig(): HttpInstrumentationConfig {
  return {
    ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
    startIncomingSpanHook: (request): Attributes => {
      // Runs just before the instrumentation extracts the caller's trace context from these very headers.
      if (request.headers) {
        delete request.headers.traceparent;
        delete request.headers.tracestate;
      }
      const url = redactUrl(request.url ?? '');
      const mark = url.indexOf('?');
      return mark < 0 ? {} : { 'url.query': url.slice(mark + 1) };
    },
    requireParentforOutgoingSpans: true,
    requestHook: (span, request) => {
      if (!('getHeader' in request)) return;
      const host = request.getHeader('host');
      const path = request.path.split('?', 1)[0]!;
      if (typeof host === 'string') span.setAttribute('url.full', `${request.protocol}//${host}${path}`);
    },
    applyCustomAttributesOnSpan: (span, request) => {
      // Express sets `req.route` on a request it routed: name the span after the route, not the raw path.
      const route = (request as { route?: { path?: unknown } }).route?.path;
      if (typeof route !== 'string') return;
      span.setAttribute('http.route', route);
      span.updateName(`${request.method ?? 'GET'} ${route}`);
    },
  };
}

/**
 * Outgoing requests through undici (the SSRF-guarded provider client, global fetch): a CLIENT span inside a trace.
 * `url.full` without the query and `url.query` with its values redacted — queries may hold what a person searched
 * for; request and response headers (the bearer token) are never recorded.
 */
export function undiciInstrumentationConfig(): UndiciInstrumentationConfig {
  return {
    requireParentforSpans: true,
    startSpanHook: (request): Attributes => {
      const url = new URL(request.path, request.origin);
      if (!url.search) return {};
      return { 'url.full': `${url.origin}${url.pathname}`, 'url.query': queryNamesOnly(url.search) };
    },
  };
}

/**
 * Redis commands inside a trace; the statement is the command name only — keys and arguments can carry tenant ids,
 * OAuth state and job payloads (BullMQ's scripts get the job data as arguments).
 */
export function ioredisInstrumentationConfig(): IORedisInstrumentationConfig {
  return { requireParentSpan: true, dbStatementSerializer: (command) => command };
}

/**
 * PostgreSQL queries inside a trace (Prisma runs them through @prisma/adapter-pg and `pg`). The statement is the
 * parameterised SQL Prisma generates; parameter values are never recorded (`enhancedDatabaseReporting` off), and no
 * trace context is written into queries or the session.
 */
export function pgInstrumentationConfig(): PgInstrumentationConfig {
  return {
    requireParentSpan: true,
    enhancedDatabaseReporting: false,
    ignoreConnectSpans: true,
    addSqlCommenterCommentToQueries: false,
    enableTraceContextPropagation: false,
  };
}

/**
 * Patches node:http, undici, ioredis and pg to report spans to `provider`. Must run before any of those modules is
 * imported: the process entry point starts tracing first and imports the application afterwards.
 */
export function instrumentLibraries(provider: TracerProvider): void {
  // Synchronous, in-thread loader hooks (Node ≥ 24.11): no loader thread, no acknowledgement round trip.
  registerImportHooks({ include: HOOKED_MODULES });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation(httpInstrumentationConfig()),
      new UndiciInstrumentation(undiciInstrumentationConfig()),
      new IORedisInstrumentation(ioredisInstrumentationConfig()),
      new PgInstrumentation(pgInstrumentationConfig()),
    ],
  });
}
