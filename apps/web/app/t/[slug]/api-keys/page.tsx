import { apiKeyList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { CreateApiKeyForm, RevokeApiKey } from '@/components/api-keys';
import { NotAllowed } from '@/components/not-allowed';
import { when } from '@/lib/format';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/api-keys`);
  if (!isAdmin) return <NotAllowed slug={slug} what="Managing API keys" />;
  const keys = await apiGet(`/api/v1/tenants/${slug}/api-keys`, apiKeyList);
  return (
    <>
      <section className="card" aria-labelledby="keys-title">
        <h1 id="keys-title">API keys</h1>
        <p className="muted">Keys let scripts call the admin API for this tenant with the scopes you choose.</p>
        {!keys.ok ? (
          <ApiError message={keys.message} />
        ) : keys.data.apiKeys.length === 0 ? (
          <p className="empty">No API keys yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {keys.data.apiKeys.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td>
                      {key.scopes.map((scope) => (
                        <code key={scope}>{scope} </code>
                      ))}
                    </td>
                    <td>{when(key.createdAt)}</td>
                    <td>{key.lastUsedAt ? when(key.lastUsedAt) : 'never'}</td>
                    <td>{key.expiresAt ? when(key.expiresAt) : 'never'}</td>
                    <td>
                      {key.revokedAt ? (
                        <span className="badge bad">revoked {when(key.revokedAt)}</span>
                      ) : (
                        <RevokeApiKey slug={slug} id={key.id} name={key.name} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="new-key-title">
        <h2 id="new-key-title">Create a key</h2>
        <CreateApiKeyForm slug={slug} />
      </section>
    </>
  );
}
