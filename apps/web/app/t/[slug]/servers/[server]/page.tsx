import { mcpServer, toolkitCatalog } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiError } from '@/components/api-error';
import { CopyButton } from '@/components/copy-button';
import { DeleteServer, ServerEditor } from '@/components/server-editor';
import { clientConfigs } from '@/lib/client-configs';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';
import { Card } from '@/components/card';

export const metadata: Metadata = { title: 'MCP server' };

export default async function ServerPage({ params }: { params: Promise<{ slug: string; server: string }> }) {
  const { slug, server: serverSlug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/servers/${serverSlug}`);
  const [server, catalog] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/mcp-servers/${encodeURIComponent(serverSlug)}`, mcpServer),
    isAdmin ? apiGet('/api/v1/toolkits', toolkitCatalog) : Promise.resolve(null),
  ]);
  if (!server.ok) {
    return (
      <section className="card">
        <h1>MCP server</h1>
        <ApiError message={server.message} />
        <Link href={`/t/${slug}/servers`}>All servers</Link>
      </section>
    );
  }
  const { endpoint } = server.data;
  const name = `gatehouse-${slug}-${server.data.slug}`;
  return (
    <>
      <section className="card" aria-labelledby="server-heading">
        <p>
          <Link href={`/t/${slug}/servers`}>← All servers</Link>
        </p>
        <h1 id="server-heading">{server.data.title}</h1>
        {server.data.description ? <p>{server.data.description}</p> : null}
        <h2>Endpoint</h2>
        <p className="actions">
          <code data-testid="server-endpoint">{endpoint}</code>
          <CopyButton text={endpoint} label="Copy URL" />
        </p>
        <p className="hint">
          Clients sign in with Gatehouse on first use (MCP OAuth): each person consents, and tools act with their own
          connected accounts.
        </p>
      </section>
      <Card id="configs-title" title="Client configuration">
        {clientConfigs(name, endpoint).map((config) => (
          <div key={config.id}>
            <h3>{config.client}</h3>
            <p className="hint">{config.file}</p>
            <pre tabIndex={0} aria-label={`${config.client} configuration`}>
              {config.text}
            </pre>
            <CopyButton text={config.text} label={`Copy ${config.client} configuration`} />
          </div>
        ))}
      </Card>
      <Card id="tools-title" title="Tools">
        {catalog ? (
          <>
            {catalog.ok ? (
              <ServerEditor slug={slug} toolkits={catalog.data.toolkits} server={server.data} />
            ) : (
              <ApiError message={catalog.message} />
            )}
            <hr />
            <DeleteServer slug={slug} server={server.data.slug} />
          </>
        ) : (
          <p>
            {[
              ...server.data.toolkits.map((toolkit) => `${toolkit} (all)`),
              ...server.data.tools.filter((tool) => !server.data.adminOnlyTools.includes(tool)),
            ].join(', ') || '—'}
          </p>
        )}
      </Card>
    </>
  );
}
