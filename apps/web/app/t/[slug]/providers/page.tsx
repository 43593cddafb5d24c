import { providerAppList, providerCatalog } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { Card } from '@/components/card';
import { CopyButton } from '@/components/copy-button';
import { DataTable, Listing } from '@/components/listing';
import { NotAllowed } from '@/components/not-allowed';
import { DeleteProviderApp, ProviderAppForm } from '@/components/provider-app-form';
import { when } from '@/lib/format';
import { param, type TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'Providers' };

export default async function ProvidersPage({ params, searchParams }: TenantPageProps) {
  const { slug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/providers`);
  if (!isAdmin) return <NotAllowed slug={slug} what="Configuring providers" />;
  const [apps, catalog] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/provider-apps`, providerAppList),
    apiGet('/api/v1/providers', providerCatalog),
  ]);
  const oauthProviders = catalog.ok ? catalog.data.providers.filter((provider) => provider.kind === 'oauth2') : [];
  return (
    <>
      <Card
        id="providers-title"
        level={1}
        title="Providers"
        intro="Each provider needs an OAuth app of your organisation; members then connect their own accounts through it."
      >
        {catalog.ok ? (
          <div className="notice">
            <p>Register this redirect URI in every OAuth app:</p>
            <p className="actions">
              <code data-testid="redirect-uri">{catalog.data.redirectUri}</code>
              <CopyButton text={catalog.data.redirectUri} />
            </p>
          </div>
        ) : null}
        <Listing result={apps} rows={(data) => data.apps} empty="No provider is configured yet.">
          {(list) => (
            <DataTable columns={['Provider', 'Client ID', 'Allowed scopes', 'Settings', 'Updated', 'Actions']}>
              {list.map((app) => (
                <tr key={app.providerId}>
                  <td>{app.providerName}</td>
                  <td>
                    <code>{app.clientId}</code>
                  </td>
                  <td>
                    {app.allowedScopes.length === 0
                      ? '—'
                      : app.allowedScopes.map((scope) => <code key={scope}>{scope} </code>)}
                  </td>
                  <td>
                    {Object.entries(app.settings).map(([name, value]) => (
                      <div key={name}>
                        {name}: <code>{value}</code>
                      </div>
                    ))}
                  </td>
                  <td>{when(app.updatedAt)}</td>
                  <td>
                    <DeleteProviderApp slug={slug} providerId={app.providerId} name={app.providerName} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Listing>
      </Card>
      <Card id="configure-title" title="Configure a provider">
        {!catalog.ok ? (
          <ApiError message={catalog.message} />
        ) : (
          <ProviderAppForm
            slug={slug}
            providers={oauthProviders}
            existing={apps.ok ? apps.data.apps : []}
            initialProvider={param((await searchParams).provider)}
          />
        )}
      </Card>
    </>
  );
}
