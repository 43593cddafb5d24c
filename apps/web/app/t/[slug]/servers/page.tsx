import { mcpServerList, toolkitCatalog } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiError } from '@/components/api-error';
import { Card } from '@/components/card';
import { CopyButton } from '@/components/copy-button';
import { DataTable, Listing } from '@/components/listing';
import { ServerEditor } from '@/components/server-editor';
import type { TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'MCP servers' };

export default async function ServersPage({ params }: TenantPageProps) {
  const { slug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/servers`);
  const [servers, catalog] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/mcp-servers`, mcpServerList),
    isAdmin ? apiGet('/api/v1/toolkits', toolkitCatalog) : Promise.resolve(null),
  ]);
  return (
    <>
      <Card
        id="servers-title"
        level={1}
        title="MCP servers"
        intro="Each server is one endpoint agents connect to, exposing the tools chosen here."
      >
        <Listing
          result={servers}
          rows={(data) => data.servers}
          empty={`No MCP server yet.${isAdmin ? ' Create the first one below.' : ''}`}
        >
          {(list) => (
            <DataTable columns={['Server', 'Tools', 'Endpoint']}>
              {list.map((server) => (
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
            </DataTable>
          )}
        </Listing>
      </Card>
      {catalog ? (
        <Card id="new-server-title" title="Create a server">
          {catalog.ok ? (
            <ServerEditor slug={slug} toolkits={catalog.data.toolkits} />
          ) : (
            <ApiError message={catalog.message} />
          )}
        </Card>
      ) : null}
    </>
  );
}
