import { changingAuth } from '../auth-changes.js';
import { sqlOf } from '../sql.js';
import type { DbExecutor } from '../client.js';
import { DataError, isUniqueViolation } from '../errors.js';

export interface McpServerRecord {
  id: string;
  tenantId: string;
  slug: string;
  title: string;
  description: string | null;
  toolkits: string[];
  tools: string[];
  /** Of the exposed tools, those only admins and owners see and may call. */
  adminOnlyTools: string[];
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: true,
  tenantId: true,
  slug: true,
  title: true,
  description: true,
  toolkits: true,
  tools: true,
  adminOnlyTools: true,
  createdAt: true,
  updatedAt: true,
} as const;

export interface McpServerChanges {
  title?: string | undefined;
  description?: string | null | undefined;
  toolkits?: string[] | undefined;
  tools?: string[] | undefined;
  adminOnlyTools?: string[] | undefined;
}

/** Runs inside a tenant scope (withTenant); row-level security keeps it to that tenant. */
export class McpServerRepository {
  constructor(private readonly db: DbExecutor) {}

  async create(input: {
    tenantId: string;
    slug: string;
    title: string;
    description: string | null;
    toolkits: string[];
    tools: string[];
    adminOnlyTools: string[];
  }): Promise<McpServerRecord> {
    try {
      return await this.db.mcpServer.create({ data: input, select: columns });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DataError('conflict', `a server with slug "${input.slug}" exists in this tenant`, { cause: error });
      throw error;
    }
  }

  list(tenantId: string): Promise<McpServerRecord[]> {
    return this.db.mcpServer.findMany({ where: { tenantId }, select: columns, orderBy: { slug: 'asc' } });
  }

  findBySlug(tenantId: string, slug: string): Promise<McpServerRecord | null> {
    return this.db.mcpServer.findUnique({ where: { tenantId_slug: { tenantId, slug } }, select: columns });
  }

  /** The server as it is now, its row locked until the transaction ends (a change judged on it cannot race another). */
  async findBySlugForUpdate(tenantId: string, slug: string): Promise<McpServerRecord | null> {
    await sqlOf(this.db).query('SELECT 1 FROM mcp_servers WHERE tenant_id = $1::uuid AND slug = $2 FOR UPDATE', [
      tenantId,
      slug,
    ]);
    return this.findBySlug(tenantId, slug);
  }

  async update(tenantId: string, slug: string, changes: McpServerChanges): Promise<McpServerRecord | null> {
    const data = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const { count } = await changingAuth(() => this.db.mcpServer.updateMany({ where: { tenantId, slug }, data }));
    return count === 1 ? this.findBySlug(tenantId, slug) : null;
  }

  async delete(tenantId: string, slug: string): Promise<boolean> {
    return (await changingAuth(() => this.db.mcpServer.deleteMany({ where: { tenantId, slug } }))).count === 1;
  }
}
