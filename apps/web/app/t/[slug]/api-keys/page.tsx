import { apiKeyList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { CreateApiKeyForm, RevokeApiKey } from '@/components/api-keys';
import { Card } from '@/components/card';
import { DataTable, Listing } from '@/components/listing';
import { NotAllowed } from '@/components/not-allowed';
import { when } from '@/lib/format';
import type { TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage({ params }: TenantPageProps) {
  const { slug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/api-keys`);
  if (!isAdmin) return <NotAllowed slug={slug} what="Managing API keys" />;
  const keys = await apiGet(`/api/v1/tenants/${slug}/api-keys`, apiKeyList);
  return (
    <>
      <Card
        id="keys-title"
        level={1}
        title="API keys"
        intro="Keys let scripts call the admin API for this tenant with the scopes you choose."
      >
        <Listing result={keys} rows={(data) => data.apiKeys} empty="No API keys yet.">
          {(apiKeys) => (
            <DataTable columns={['Name', 'Scopes', 'Created', 'Last used', 'Expires', 'Status']}>
              {apiKeys.map((key) => (
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
            </DataTable>
          )}
        </Listing>
      </Card>
      <Card id="new-key-title" title="Create a key">
        <CreateApiKeyForm slug={slug} />
      </Card>
    </>
  );
}
