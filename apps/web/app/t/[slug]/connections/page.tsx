import { connectionList, providerAppList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiError } from '@/components/api-error';
import { ConnectForm, DisconnectButton } from '@/components/connections';
import { when } from '@/lib/format';
import { param } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'My connections' };

export default async function ConnectionsPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const { slug } = await params;
  const query = await searchParams;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/connections`);
  const [connections, apps] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/connections`, connectionList),
    apiGet(`/api/v1/tenants/${slug}/provider-apps`, providerAppList),
  ]);
  const connected = param(query.connected);
  const failed = param(query.connection_error);
  const mine = connections.ok ? connections.data.connections : [];
  return (
    <>
      <section className="card" aria-labelledby="connections-title">
        <h1 id="connections-title">My connections</h1>
        <p className="muted">
          Tools act on these accounts with your own permission. Tokens stay encrypted in Gatehouse; agents never see
          them.
        </p>
        {connected ? (
          <p role="status" className="badge good" data-testid="connected-banner">
            Connected {connected}.
          </p>
        ) : null}
        {failed ? (
          <p role="alert" className="error">
            The connection was not completed ({failed}). Try again.
          </p>
        ) : null}
        {!connections.ok ? (
          <ApiError message={connections.message} />
        ) : mine.length === 0 ? (
          <p className="empty">You have not connected any account yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Account</th>
                  <th scope="col">Status</th>
                  <th scope="col">Granted scopes</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {mine.map((connection) => (
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
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="available-title">
        <h2 id="available-title">Connect an account</h2>
        {!apps.ok ? (
          <ApiError message={apps.message} />
        ) : apps.data.apps.length === 0 ? (
          <p className="empty">
            No provider is set up in this tenant yet.{' '}
            {isAdmin ? <Link href={`/t/${slug}/providers`}>Configure one</Link> : 'Ask an admin to configure one.'}
          </p>
        ) : (
          <div className="stack">
            {apps.data.apps.map((app) => {
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
      </section>
    </>
  );
}
