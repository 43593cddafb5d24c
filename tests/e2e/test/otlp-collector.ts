/**
 * A minimal OTLP/HTTP trace collector for tests: accepts `POST /v1/traces` (JSON, optionally gzip), keeps every span
 * with its service name, and waits for the spans of one trace.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** OTLP span kinds. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface CollectedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
}

export interface OtlpCollector {
  url: string;
  spans: CollectedSpan[];
  waitForTrace(traceId: string, names: string[], timeoutMs?: number): Promise<CollectedSpan[]>;
  close(): Promise<void>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  return v.doubleValue;
}

function attributesOf(entries: { key: string; value: AnyValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((entries ?? []).map((entry) => [entry.key, value(entry.value)]));
}

/** OTLP/JSON ids are hex; some encoders use base64. */
function hex(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const payload = JSON.parse(body.toString('utf8')) as {
          resourceSpans?: {
            resource?: { attributes?: { key: string; value: AnyValue }[] };
            scopeSpans?: {
              spans?: {
                name: string;
                kind?: number;
                traceId: string;
                spanId: string;
                parentSpanId?: string;
                attributes?: { key: string; value: AnyValue }[];
                events?: { name: string; attributes?: { key: string; value: AnyValue }[] }[];
              }[];
            }[];
          }[];
        };
        for (const resource of payload.resourceSpans ?? []) {
          const service = String(
            value(resource.resource?.attributes?.find((entry) => entry.key === 'service.name')?.value ?? {}),
          );
          for (const scope of resource.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              spans.push({
                service,
                name: span.name,
                kind: span.kind ?? 0,
                traceId: hex(span.traceId)!,
                spanId: hex(span.spanId)!,
                parentSpanId: hex(span.parentSpanId) || undefined,
                attributes: attributesOf(span.attributes),
                events: (span.events ?? []).map((event) => ({
                  name: event.name,
                  attributes: attributesOf(event.attributes),
                })),
              });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    async waitForTrace(traceId, names, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans.filter((span) => span.traceId === traceId);
        if (names.every((name) => found.some((span) => span.name === name))) return found;
        if (Date.now() > deadline)
          throw new Error(
            `trace ${traceId} incomplete: have ${found.map((span) => span.name).join(', ') || 'nothing'}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
