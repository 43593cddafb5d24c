import {
  McpServerRepository,
  TenantRepository,
  withTenant,
  type Database,
  type McpServerRecord,
  type ToolLimits,
} from '@gatehouse/db';

/** One tenant's MCP server as clients address it: `{publicApiUrl}/t/{tenant}/mcp/{server}`. */
export interface McpEndpoint {
  tenantId: string;
  tenantSlug: string;
  /** The tenant's tool-call limit overrides (cached with the endpoint). */
  toolLimits: ToolLimits;
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
  private readonly cache = new Map<string, { endpoint: McpEndpoint; until: number }>();
  /** Bumped by every invalidation: a lookup that started before one does not cache what it read. */
  private generation = 0;

  /**
   * `cacheMs` > 0 keeps found endpoints that long in this process: every MCP request looks its server up, and a
   * server's settings change rarely. A change (or a deletion, whose tokens are revoked at once anyway) reaches
   * requests at once where `invalidate` is called for it, else within `cacheMs`. Absent servers are never cached,
   * so a new one works at once.
   */
  constructor(
    private readonly db: Database,
    private readonly publicApiUrl: string,
    private readonly cacheMs = 0,
  ) {
    this.tenants = new TenantRepository(db);
  }

  async find(tenantSlug: string, serverSlug: string): Promise<McpEndpoint | undefined> {
    if (this.cacheMs <= 0) return this.lookup(tenantSlug, serverSlug);
    const key = `${tenantSlug}/${serverSlug}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.endpoint;
    const generation = this.generation;
    const endpoint = await this.lookup(tenantSlug, serverSlug);
    if (generation !== this.generation) return endpoint;
    if (endpoint) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, { endpoint, until: Date.now() + this.cacheMs });
    } else {
      this.cache.delete(key);
    }
    return endpoint;
  }

  /** Forgets the cached server at this address: its settings changed, or it was deleted. */
  invalidate(tenantSlug: string, serverSlug: string): void {
    this.generation++;
    this.cache.delete(`${tenantSlug}/${serverSlug}`);
  }

  private async lookup(tenantSlug: string, serverSlug: string): Promise<McpEndpoint | undefined> {
    const tenant = await this.tenants.findBySlug(tenantSlug);
    if (!tenant) return undefined;
    const server = await withTenant(this.db, tenant.id, (tx) =>
      new McpServerRepository(tx).findBySlug(tenant.id, serverSlug),
    );
    if (!server) return undefined;
    return {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      toolLimits: tenant.toolLimits,
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
