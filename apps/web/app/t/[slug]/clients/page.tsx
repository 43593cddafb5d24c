import { oauthConsentList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { RevokeConsent } from '@/components/revoke-consent';
import { when } from '@/lib/format';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'Authorized clients' };

export default async function ClientsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await tenantContext(slug, `/t/${slug}/clients`);
  const consents = await apiGet(`/api/v1/tenants/${slug}/oauth-consents`, oauthConsentList);
  return (
    <section className="card" aria-labelledby="clients-title">
      <h1 id="clients-title">Authorized clients</h1>
      <p className="muted">
        MCP clients (Claude, Cursor, VS Code, …) you allowed to call tools for you in this tenant. Revoking one ends its
        tokens at once.
      </p>
      {!consents.ok ? (
        <ApiError message={consents.message} />
      ) : consents.data.consents.length === 0 ? (
        <p className="empty">You have not authorized any client yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Server</th>
                <th scope="col">Scopes</th>
                <th scope="col">Authorized</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {consents.data.consents.map((consent) => (
                <tr key={consent.id}>
                  <td>
                    {consent.clientName ?? 'Unnamed client'}
                    <div className="hint">
                      <code>{consent.clientId}</code>
                    </div>
                  </td>
                  <td>
                    <code>{consent.resource}</code>
                  </td>
                  <td>
                    {consent.scopes.map((scope) => (
                      <code key={scope}>{scope} </code>
                    ))}
                  </td>
                  <td>{when(consent.createdAt)}</td>
                  <td>
                    <RevokeConsent slug={slug} id={consent.id} client={consent.clientName ?? consent.clientId} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
