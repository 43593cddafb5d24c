import { oauthConsentList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { Card } from '@/components/card';
import { DataTable, Listing } from '@/components/listing';
import { RevokeConsent } from '@/components/revoke-consent';
import { when } from '@/lib/format';
import type { TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'Authorized clients' };

export default async function ClientsPage({ params }: TenantPageProps) {
  const { slug } = await params;
  await tenantContext(slug, `/t/${slug}/clients`);
  const consents = await apiGet(`/api/v1/tenants/${slug}/oauth-consents`, oauthConsentList);
  return (
    <Card
      id="clients-title"
      level={1}
      title="Authorized clients"
      intro="MCP clients (Claude, Cursor, VS Code, …) you allowed to call tools for you in this tenant. Revoking one ends its tokens at once."
    >
      <Listing result={consents} rows={(data) => data.consents} empty="You have not authorized any client yet.">
        {(list) => (
          <DataTable columns={['Client', 'Server', 'Scopes', 'Authorized', 'Actions']}>
            {list.map((consent) => (
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
          </DataTable>
        )}
      </Listing>
    </Card>
  );
}
