import type { AuditEvent } from './event.js';
import type { AuditFilter, AuditStore } from './store.js';

export type ExportFormat = 'csv' | 'jsonl';

const CSV_COLUMNS = [
  'seq',
  'occurred_at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'request_id',
  'trace_id',
  'metadata',
  'hash',
] as const;

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // Quote when needed; prefix formula-looking cells so spreadsheets do not execute them.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function plain(event: AuditEvent) {
  return {
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome,
    requestId: event.requestId,
    traceId: event.traceId,
    metadata: event.metadata,
    prevHash: event.prevHash.toString('hex'),
    hash: event.hash.toString('hex'),
  };
}

export function formatEvent(event: AuditEvent, format: ExportFormat): string {
  if (format === 'jsonl') return `${JSON.stringify(plain(event))}\n`;
  const p = plain(event);
  const row = [
    p.seq,
    p.occurredAt,
    p.actorType,
    p.actorId,
    p.action,
    p.targetType,
    p.targetId,
    p.outcome,
    p.requestId,
    p.traceId,
    JSON.stringify(p.metadata),
    p.hash,
  ];
  return `${row.map(csvCell).join(',')}\n`;
}

/** Streams a tenant's (filtered) events newest first, a page at a time, as CSV or JSON Lines. */
export async function* exportEvents(
  store: AuditStore,
  tenantId: string,
  filter: AuditFilter,
  format: ExportFormat,
  pageSize = 1_000,
): AsyncGenerator<string> {
  let before: number | undefined;
  for (let first = true; ; first = false) {
    const page = await store.list(tenantId, filter, { limit: pageSize, before });
    // The header row only once the first page is in hand: a filter the store refuses, or a store that is down, is
    // answered before a byte of the file is sent (a clear error, not a cut-off download).
    if (first && format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
    for (const event of page.events) yield formatEvent(event, format);
    if (page.nextCursor === null) return;
    before = page.nextCursor;
  }
}
