import { connectionList, providerAppList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/card';
import { ConnectForm, DisconnectButton } from '@/components/connections';
import { DataTable, Listing } from '@/components/listing';
import { connectedProvider, connectErrorMessage } from '@/lib/connect-outcome';
import { when } from '@/lib/format';
import { param, type TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'My connections' };

export default async function ConnectionsPage({ params, searchParams }: TenantPageProps) {
  const { slug } = await params;
  const query = await searchParams;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/connections`);
  const [connections, apps] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/connections`, connectionList),
    apiGet(`/api/v1/tenants/${slug}/provider-apps`, providerAppList),
  ]);
  const connected = connectedProvider(param(query.connected));
  const failed = param(query.connection_error);
  const disconnected = connectedProvider(param(query.disconnected));
  const nameOf = (providerId: string) =>
    (apps.ok ? apps.data.apps : []).find((app) => app.providerId === providerId)?.providerName ?? providerId;
  const mine = connections.ok ? connections.data.connections : [];
  return (
    <>
      <Card
        id="connections-title"
        level={1}
        title="My connections"
        intro="Tools act on these accounts with your own permission. Tokens stay encrypted in Gatehouse; agents never see them."
      >
        {connected ? (
          <p role="status" className="badge good" data-testid="connected-banner">
            Connected {nameOf(connected)}.
          </p>
        ) : null}
        {disconnected ? (
          <p role="status" data-testid="disconnected-banner">
            {param(query.revoked) === '1'
              ? `Disconnected ${nameOf(disconnected)}; it revoked Gatehouse’s access too.`
              : `Disconnected ${nameOf(disconnected)}. ${nameOf(disconnected)} did not confirm revoking Gatehouse’s access: revoke it in your ${nameOf(disconnected)} account settings as well.`}
          </p>
        ) : null}
        {failed ? (
          <p role="alert" className="error" data-testid="connection-error">
            {connectErrorMessage(failed)}
          </p>
        ) : null}
        <Listing result={connections} rows={(data) => data.connections} empty="You have not connected any account yet.">
          {(list) => (
            <DataTable columns={['Provider', 'Account', 'Status', 'Granted scopes', 'Last used', 'Actions']}>
              {list.map((connection) => (
                <tr
                  key={connection.id}
                  className={connection.status === 'needs_reauth' ? 'needs-reauth' : undefined}
                  data-testid={`connection-${connection.providerId}`}
                >
                  <td>{connection.providerName}</td>
                  <td>{connection.accountLabel ?? connection.externalAccountId}</td>
                  <td>
                    {connection.status === 'needs_reauth' ? (
                      <strong>Needs reconnecting</strong>
                    ) : (
                      <span className="badge good">active</span>
                    )}
                  </td>
                  <td>
                    {connection.scopes.length === 0
                      ? '—'
                      : connection.scopes.map((scope) => <code key={scope}>{scope} </code>)}
                  </td>
                  <td>{connection.lastUsedAt ? when(connection.lastUsedAt) : 'never'}</td>
                  <td>
                    <DisconnectButton
                      slug={slug}
                      providerId={connection.providerId}
                      providerName={connection.providerName}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Listing>
      </Card>
      <Card id="available-title" title="Connect an account">
        <Listing
          result={apps}
          rows={(data) => data.apps}
          empty={
            <>
              No provider is set up in this tenant yet.{' '}
              {isAdmin ? <Link href={`/t/${slug}/providers`}>Configure one</Link> : 'Ask an admin to configure one.'}
            </>
          }
        >
          {(list) => (
            <div className="stack">
              {list.map((app) => {
                const existing = mine.find((connection) => connection.providerId === app.providerId);
                return (
                  <div key={app.providerId}>
                    <h3>{app.providerName}</h3>
                    <ConnectForm
                      slug={slug}
                      providerId={app.providerId}
                      providerName={app.providerName}
                      allowedScopes={app.allowedScopes}
                      grantedScopes={existing?.scopes ?? []}
                      reconnect={existing !== undefined}
                    />
                  </div>
                );
              })}
            </div>
          )}
        </Listing>
      </Card>
    </>
  );
}
