import { providerAppList, providerCatalog } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { CopyButton } from '@/components/copy-button';
import { NotAllowed } from '@/components/not-allowed';
import { DeleteProviderApp, ProviderAppForm } from '@/components/provider-app-form';
import { when } from '@/lib/format';
import { param } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'Providers' };

export default async function ProvidersPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
}) {
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
      <section className="card" aria-labelledby="providers-title">
        <h1 id="providers-title">Providers</h1>
        <p className="muted">
          Each provider needs an OAuth app of your organisation; members then connect their own accounts through it.
        </p>
        {catalog.ok ? (
          <div className="notice">
            <p>Register this redirect URI in every OAuth app:</p>
            <p className="actions">
              <code data-testid="redirect-uri">{catalog.data.redirectUri}</code>
              <CopyButton text={catalog.data.redirectUri} />
            </p>
          </div>
        ) : null}
        {!apps.ok ? (
          <ApiError message={apps.message} />
        ) : apps.data.apps.length === 0 ? (
          <p className="empty">No provider is configured yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Client ID</th>
                  <th scope="col">Allowed scopes</th>
                  <th scope="col">Settings</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {apps.data.apps.map((app) => (
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
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="configure-title">
        <h2 id="configure-title">Configure a provider</h2>
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
      </section>
    </>
  );
}
