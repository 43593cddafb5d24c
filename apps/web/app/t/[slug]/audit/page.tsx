import { auditPage, auditVerifyResponse, memberList, toolkitCatalog } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiError } from '@/components/api-error';
import { NotAllowed } from '@/components/not-allowed';
import { apiAuditQuery, auditFiltersOf, pageQuery } from '@/lib/audit-filters';
import { qualifiedToolName } from '@/lib/client-configs';
import { when } from '@/lib/format';
import { param, type TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';
import { DataTable, Listing } from '@/components/listing';
import { Card } from '@/components/card';

export const metadata: Metadata = { title: 'Audit' };

const PAGE_SIZE = '50';
const OUTCOMES = ['success', 'failure', 'denied', 'error'];
const ACTIONS = [
  'tool.call',
  'mcp.request',
  'tenant.created',
  'tenant.tool_limits_changed',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'member.role_changed',
  'member.removed',
  'api_key.created',
  'api_key.revoked',
  'mcp_server.created',
  'mcp_server.updated',
  'mcp_server.deleted',
  'provider_app.deleted',
  'connection.authorize_started',
  'connection.deleted',
  'connection.failed',
  'connection.refreshed',
  'connection.scopes_refused',
  'oauth.consent_granted',
  'oauth.consent_revoked',
];

/** One filter of the form: a choice among `options` (a value, or a [value, label] pair), or `any` for none. */
function FilterSelect({
  name,
  label,
  any,
  options,
  value,
}: {
  name: string;
  label: string;
  any: string;
  options: (string | [string, string])[];
  value: string | undefined;
}) {
  return (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name} defaultValue={value ?? ''}>
        <option value="">{any}</option>
        {options.map((option) => {
          const [choice, text] = typeof option === 'string' ? [option, option] : option;
          return (
            <option key={choice} value={choice}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

export default async function AuditPage({ params, searchParams }: TenantPageProps) {
  const { slug } = await params;
  const query = await searchParams;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/audit`);
  if (!isAdmin) return <NotAllowed slug={slug} what="The audit log" />;
  const filters = auditFiltersOf(query);
  const before = param(query.before);
  const verify = param(query.verify) === '1';
  const [page, members, catalog, chain] = await Promise.all([
    apiGet(
      `/api/v1/tenants/${slug}/audit?${apiAuditQuery(filters, { limit: PAGE_SIZE, ...(before ? { before } : {}) }).toString()}`,
      auditPage,
    ),
    apiGet(`/api/v1/tenants/${slug}/members`, memberList),
    apiGet('/api/v1/toolkits', toolkitCatalog),
    verify ? apiGet(`/api/v1/tenants/${slug}/audit/verify`, auditVerifyResponse) : Promise.resolve(null),
  ]);
  const people = new Map((members.ok ? members.data.members : []).map((member) => [member.userId, member.email]));
  const tools = catalog.ok
    ? catalog.data.toolkits.flatMap((toolkit) =>
        toolkit.tools.map((tool) => qualifiedToolName(toolkit.name, tool.name)),
      )
    : [];
  const clients = page.ok
    ? [...new Set(page.data.events.map((event) => event.metadata.clientId).filter((id) => typeof id === 'string'))]
    : [];
  const exportQuery = apiAuditQuery(filters).toString();
  const exportHref = (format: string) =>
    `/api/v1/tenants/${slug}/audit/export?${exportQuery}${exportQuery ? '&' : ''}format=${format}`;

  return (
    <>
      <Card id="audit-title" level={1} title="Audit">
        <p className="muted">Every tool call and every administrative change, newest first. Times are UTC.</p>
        <div className="actions">
          {chain === null ? (
            <Link className="button ghost" href={`/t/${slug}/audit${pageQuery(filters, { verify: '1' })}`}>
              Verify the hash chain
            </Link>
          ) : !chain.ok ? (
            <ApiError message={chain.message} />
          ) : chain.data.ok ? (
            <p role="status" className="badge good" data-testid="chain-status">
              Chain intact: {chain.data.checked} events checked
              {chain.data.head ? (
                <>
                  {' '}
                  — head <code data-testid="chain-head">{`${chain.data.head.seq}:${chain.data.head.hash}`}</code> (keep
                  it elsewhere: a later check against it shows whether anything was removed or rewritten)
                </>
              ) : null}
            </p>
          ) : (
            <p role="alert" className="error" data-testid="chain-status">
              Chain broken at event {chain.data.firstBroken?.seq} ({chain.data.firstBroken?.reason}). The log was
              edited, reordered or had events removed.
            </p>
          )}
          <a className="button ghost" href={exportHref('csv')} download>
            Export CSV
          </a>
          <a className="button ghost" href={exportHref('jsonl')} download>
            Export JSONL
          </a>
        </div>
      </Card>
      <Card id="filters-title" title="Filters">
        <form className="form inline" method="get" action={`/t/${slug}/audit`}>
          <FilterSelect name="actor" label="Actor" any="Anyone" options={[...people]} value={filters.actorId} />
          <FilterSelect name="tool" label="Tool" any="Any tool" options={tools} value={filters.tool} />
          <div className="field">
            <label htmlFor="f-client">Client</label>
            <input
              id="f-client"
              name="client"
              list="seen-clients"
              defaultValue={filters.client ?? ''}
              aria-describedby="f-client-hint"
            />
            <datalist id="seen-clients">
              {clients.map((client) => (
                <option key={client} value={client} />
              ))}
            </datalist>
            <p className="hint" id="f-client-hint">
              The MCP client’s id, as events show it
            </p>
          </div>
          <div className="field">
            <label htmlFor="f-action">Action</label>
            <input id="f-action" name="action" list="known-actions" defaultValue={filters.action ?? ''} />
            <datalist id="known-actions">
              {ACTIONS.map((action) => (
                <option key={action} value={action} />
              ))}
            </datalist>
          </div>
          <FilterSelect name="outcome" label="Outcome" any="Any outcome" options={OUTCOMES} value={filters.outcome} />
          <div className="field">
            <label htmlFor="f-from">From (UTC)</label>
            <input id="f-from" name="from" type="datetime-local" defaultValue={filters.from ?? ''} />
          </div>
          <div className="field">
            <label htmlFor="f-to">Until (UTC)</label>
            <input id="f-to" name="to" type="datetime-local" defaultValue={filters.to ?? ''} />
          </div>
          <div className="actions">
            <button type="submit" className="button">
              Apply
            </button>
            <Link href={`/t/${slug}/audit`} className="button ghost">
              Clear
            </Link>
          </div>
        </form>
      </Card>
      <Card id="events-title" title="Events">
        <Listing result={page} rows={(data) => data.events} empty="No events match these filters.">
          {(events) => (
            <DataTable columns={['#', 'Time', 'Actor', 'Action', 'Target', 'Outcome', 'Details']} testId="audit-table">
              {events.map((event) => (
                <tr key={event.seq}>
                  <td>{event.seq}</td>
                  <td className="nowrap">{when(event.occurredAt)}</td>
                  <td>
                    {event.actorId ? (people.get(event.actorId) ?? event.actorId) : event.actorType}
                    {typeof event.metadata.clientId === 'string' ? (
                      <div className="hint">
                        via{' '}
                        <Link
                          href={`/t/${slug}/audit${pageQuery({ ...filters, client: event.metadata.clientId })}`}
                          aria-label={`Only events of client ${event.metadata.clientId}`}
                        >
                          {event.metadata.clientId}
                        </Link>
                      </div>
                    ) : null}
                  </td>
                  <td className="nowrap">
                    <code>{event.action}</code>
                  </td>
                  <td>{event.targetId ?? '—'}</td>
                  <td>
                    <span className={`badge ${event.outcome === 'success' ? 'good' : 'bad'}`}>{event.outcome}</span>
                  </td>
                  <td>
                    <details>
                      <summary>Event {event.seq}</summary>
                      <pre tabIndex={0}>
                        {JSON.stringify(
                          {
                            requestId: event.requestId,
                            traceId: event.traceId,
                            targetType: event.targetType,
                            metadata: event.metadata,
                            hash: event.hash,
                          },
                          null,
                          2,
                        )}
                      </pre>
                    </details>
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Listing>
        <nav aria-label="Audit pages" className="actions">
          {before ? (
            <Link href={`/t/${slug}/audit${pageQuery(filters)}`} className="button ghost">
              Newest
            </Link>
          ) : null}
          {page.ok && page.data.nextCursor !== null ? (
            <Link
              href={`/t/${slug}/audit${pageQuery(filters, { before: String(page.data.nextCursor) })}`}
              className="button ghost"
              data-testid="older-events"
            >
              Older events
            </Link>
          ) : null}
        </nav>
      </Card>
    </>
  );
}
