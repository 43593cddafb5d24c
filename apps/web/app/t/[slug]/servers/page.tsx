import { mcpServerList, toolkitCatalog } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiError } from '@/components/api-error';
import { CopyButton } from '@/components/copy-button';
import { ServerEditor } from '@/components/server-editor';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'MCP servers' };

export default async function ServersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/servers`);
  const [servers, catalog] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/mcp-servers`, mcpServerList),
    isAdmin ? apiGet('/api/v1/toolkits', toolkitCatalog) : Promise.resolve(null),
  ]);
  return (
    <>
      <section className="card" aria-labelledby="servers-title">
        <h1 id="servers-title">MCP servers</h1>
        <p className="muted">Each server is one endpoint agents connect to, exposing the tools chosen here.</p>
        {!servers.ok ? (
          <ApiError message={servers.message} />
        ) : servers.data.servers.length === 0 ? (
          <p className="empty">No MCP server yet.{isAdmin ? ' Create the first one below.' : ''}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Server</th>
                  <th scope="col">Tools</th>
                  <th scope="col">Endpoint</th>
                </tr>
              </thead>
              <tbody>
                {servers.data.servers.map((server) => (
                  <tr key={server.slug}>
                    <td>
                      <Link href={`/t/${slug}/servers/${server.slug}`}>{server.title}</Link>
                      <div className="hint">{server.slug}</div>
                    </td>
                    <td>
                      {[...server.toolkits.map((toolkit) => `${toolkit} (all)`), ...server.tools].join(', ') || '—'}
                    </td>
                    <td>
                      <code>{server.endpoint}</code> <CopyButton text={server.endpoint} label="Copy URL" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {catalog ? (
        <section className="card" aria-labelledby="new-server-title">
          <h2 id="new-server-title">Create a server</h2>
          {catalog.ok ? (
            <ServerEditor slug={slug} toolkits={catalog.data.toolkits} />
          ) : (
            <ApiError message={catalog.message} />
          )}
        </section>
      ) : null}
    </>
  );
}
