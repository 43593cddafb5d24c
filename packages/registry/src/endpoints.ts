import { McpServerRepository, TenantRepository, withTenant, type Database, type McpServerRecord } from '@gatehouse/db';

/** One tenant's MCP server as clients address it: `{publicApiUrl}/t/{tenant}/mcp/{server}`. */
export interface McpEndpoint {
  tenantId: string;
  tenantSlug: string;
  server: McpServerRecord;
  /** The exact URL: the OAuth resource indicator and the audience of every token for this server. */
  url: string;
}

const SLUG = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ENDPOINT_PATH = new RegExp(`^/t/(${SLUG})/mcp/(${SLUG})$`);

export function endpointUrl(publicApiUrl: string, tenantSlug: string, serverSlug: string): string {
  return `${publicApiUrl}/t/${tenantSlug}/mcp/${serverSlug}`;
}

/** RFC 9728 protected-resource metadata URL: the well-known segment inserted before the endpoint's path. */
export function resourceMetadataUrl(publicApiUrl: string, tenantSlug: string, serverSlug: string): string {
  const url = new URL(publicApiUrl);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname.replace(/\/$/, '')}/t/${tenantSlug}/mcp/${serverSlug}`;
}

/** Finds the MCP servers clients connect to. Lookups are by public address, not on behalf of an actor. */
export class McpEndpointDirectory {
  private readonly tenants: TenantRepository;

  constructor(
    private readonly db: Database,
    private readonly publicApiUrl: string,
  ) {
    this.tenants = new TenantRepository(db);
  }

  async find(tenantSlug: string, serverSlug: string): Promise<McpEndpoint | undefined> {
    const tenant = await this.tenants.findBySlug(tenantSlug);
    if (!tenant) return undefined;
    const server = await withTenant(this.db, tenant.id, (tx) =>
      new McpServerRepository(tx).findBySlug(tenant.id, serverSlug),
    );
    if (!server) return undefined;
    return {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      server,
      url: endpointUrl(this.publicApiUrl, tenant.slug, server.slug),
    };
  }

  /** Resolves a resource indicator; only the exact endpoint URL matches (no trailing slash, query or fragment). */
  async resolve(resource: string): Promise<McpEndpoint | undefined> {
    if (!resource.startsWith(`${this.publicApiUrl}/t/`)) return undefined;
    const match = ENDPOINT_PATH.exec(resource.slice(this.publicApiUrl.length));
    if (!match) return undefined;
    const endpoint = await this.find(match[1]!, match[2]!);
    return endpoint?.url === resource ? endpoint : undefined;
  }
}
