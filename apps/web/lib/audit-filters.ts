import { param } from './paths';

export interface AuditFilters {
  actorId?: string | undefined;
  tool?: string | undefined;
  /** The MCP client (OAuth client id). */
  client?: string | undefined;
  action?: string | undefined;
  outcome?: string | undefined;
  /** `YYYY-MM-DDTHH:mm`, UTC, as a datetime-local input gives it. */
  from?: string | undefined;
  to?: string | undefined;
}

const LOCAL_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

export function auditFiltersOf(query: Record<string, string | string[] | undefined>): AuditFilters {
  return {
    actorId: param(query.actor),
    tool: param(query.tool),
    client: param(query.client),
    action: param(query.action),
    outcome: param(query.outcome),
    from: param(query.from),
    to: param(query.to),
  };
}

/** The api's query for these filters (times as ISO 8601 UTC; values the api rejects are its to explain). */
export function apiAuditQuery(filters: AuditFilters, extra: Record<string, string> = {}): URLSearchParams {
  const query = new URLSearchParams();
  const iso = (value: string) => (LOCAL_MINUTE.test(value) ? `${value}:00.000Z` : value);
  if (filters.actorId) query.set('actorId', filters.actorId);
  if (filters.tool) query.set('tool', filters.tool);
  if (filters.client) query.set('client', filters.client);
  if (filters.action) query.set('action', filters.action);
  if (filters.outcome) query.set('outcome', filters.outcome);
  if (filters.from) query.set('from', iso(filters.from));
  if (filters.to) query.set('to', iso(filters.to));
  for (const [key, value] of Object.entries(extra)) query.set(key, value);
  return query;
}

/** The console's own query string for these filters (to keep them across pages). */
export function pageQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  if (filters.actorId) query.set('actor', filters.actorId);
  if (filters.tool) query.set('tool', filters.tool);
  if (filters.client) query.set('client', filters.client);
  if (filters.action) query.set('action', filters.action);
  if (filters.outcome) query.set('outcome', filters.outcome);
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', filters.to);
  for (const [key, value] of Object.entries(extra)) query.set(key, value);
  const text = query.toString();
  return text ? `?${text}` : '';
}
