import { createHash } from 'node:crypto';
import type { AuditEventInput, AuditLog } from '@gatehouse/audit';
import {
  DataError,
  McpServerRepository,
  OAuthModelRepository,
  withTenant,
  type Database,
  type DbExecutor,
  type McpServerRecord,
} from '@gatehouse/db';
import { recordAction, requireScope, TenancyError, type Actor, type MemberRoleChange } from '@gatehouse/tenancy';
import { unknownSelections } from '@gatehouse/mcp';
import { withheldFor } from '@gatehouse/tools';

export interface McpServerInput {
  slug: string;
  title: string;
  description?: string | undefined;
  toolkits: string[];
  tools: string[];
  /** Tools only the tenant's admins and owners see and may call. */
  adminOnlyTools?: string[] | undefined;
}

export interface McpServerUpdate {
  title?: string | undefined;
  description?: string | null | undefined;
  toolkits?: string[] | undefined;
  tools?: string[] | undefined;
  adminOnlyTools?: string[] | undefined;
}

/**
 * A server's revision: changes whenever anything about it does (every update moves `updatedAt`), so an admin's edit
 * made on what they loaded can be refused once someone else changed it (`If-Match`, HTTP 412) instead of silently
 * overwriting the other's change. Opaque to clients.
 */
export function serverRevision(server: McpServerRecord): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        server.id,
        server.updatedAt.toISOString(),
        server.title,
        server.description,
        server.toolkits,
        server.tools,
        server.adminOnlyTools,
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
}

/** Refuses a change judged on `expected` when the server no longer has that revision (undefined: no condition). */
function checkRevision(server: McpServerRecord, expected: string | undefined): void {
  if (expected !== undefined && serverRevision(server) !== expected)
    throw new TenancyError(
      'precondition_failed',
      'This MCP server was changed since you loaded it. Load it again, then make your change again.',
    );
}

/** Refuses toolkits and `toolkit.tool` names the catalog does not know (an endpoint skips them silently). */
function checkToolkits(toolkits: readonly string[] | undefined, tools: readonly string[] | undefined): void {
  const unknown = unknownSelections({ toolkits: toolkits ?? [], tools: tools ?? [] });
  if (unknown.length > 0)
    throw new RegistryError('unknown_toolkit', `Unknown toolkit or tool: ${[...new Set(unknown)].join(', ')}.`);
}

export class RegistryError extends Error {
  readonly code: 'unknown_toolkit' | 'server_exists';

  constructor(code: 'unknown_toolkit' | 'server_exists', message: string) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
  }
}

/** A server's settings changed (after the change was committed): caches and connected clients must hear of it. */
export interface McpServerChange {
  tenantId: string;
  tenantSlug: string;
  serverId: string;
  serverSlug: string;
  /** The selection of toolkits/tools was part of the change, so the tool list may differ. */
  toolsChanged: boolean;
  deleted: boolean;
  /** Only this person's view of the server changed (their role did): only their sessions are told. */
  userId?: string;
}

export type McpServerChangeListener = (change: McpServerChange) => Promise<void> | void;

/**
 * MCP servers of a tenant: which toolkits/tools each exposes. Changes are audited in the same transaction, and
 * announced to `onChange` once committed (the api invalidates cached endpoints and tells connected sessions).
 */
export class McpServerService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog<DbExecutor>,
    private readonly onChange: McpServerChangeListener = () => {},
  ) {}

  private record(
    tx: DbExecutor,
    actor: Actor,
    event: Omit<AuditEventInput, 'tenantId' | 'actor'>,
    requestId: string | undefined,
  ) {
    return recordAction(this.audit, tx, actor, event, requestId);
  }

  async create(actor: Actor, input: McpServerInput, requestId?: string): Promise<McpServerRecord> {
    requireScope(actor, 'servers:write');
    checkToolkits(input.toolkits, [...input.tools, ...(input.adminOnlyTools ?? [])]);
    try {
      return await withTenant(this.db, actor.tenantId, async (tx) => {
        const server = await new McpServerRepository(tx).create({
          tenantId: actor.tenantId,
          slug: input.slug,
          title: input.title,
          description: input.description || null,
          toolkits: [...new Set(input.toolkits)],
          tools: [...new Set(input.tools)],
          adminOnlyTools: [...new Set(input.adminOnlyTools ?? [])],
        });
        await this.record(
          tx,
          actor,
          {
            action: 'mcp_server.created',
            target: { type: 'mcp_server', id: server.id },
            outcome: 'success',
            metadata: {
              slug: server.slug,
              toolkits: server.toolkits,
              tools: server.tools,
              adminOnlyTools: server.adminOnlyTools,
            },
          },
          requestId,
        );
        return server;
      });
    } catch (error) {
      if (error instanceof DataError && error.code === 'conflict')
        throw new RegistryError('server_exists', `A server "${input.slug}" exists in this tenant.`);
      throw error;
    }
  }

  list(actor: Actor): Promise<McpServerRecord[]> {
    requireScope(actor, 'servers:read');
    return withTenant(this.db, actor.tenantId, (tx) => new McpServerRepository(tx).list(actor.tenantId));
  }

  async get(actor: Actor, slug: string): Promise<McpServerRecord> {
    requireScope(actor, 'servers:read');
    const server = await withTenant(this.db, actor.tenantId, (tx) =>
      new McpServerRepository(tx).findBySlug(actor.tenantId, slug),
    );
    if (!server) throw new TenancyError('not_found', 'No such MCP server.');
    return server;
  }

  /** `expectedRevision`: the revision the change was judged on (`If-Match`); refused when the server moved on. */
  async update(
    actor: Actor,
    slug: string,
    changes: McpServerUpdate,
    requestId?: string,
    expectedRevision?: string,
  ): Promise<McpServerRecord> {
    requireScope(actor, 'servers:write');
    checkToolkits(changes.toolkits, [...(changes.tools ?? []), ...(changes.adminOnlyTools ?? [])]);
    const saved = await withTenant(this.db, actor.tenantId, async (tx) => {
      const repository = new McpServerRepository(tx);
      if (expectedRevision !== undefined) {
        const current = await repository.findBySlugForUpdate(actor.tenantId, slug);
        if (!current) throw new TenancyError('not_found', 'No such MCP server.');
        checkRevision(current, expectedRevision);
      }
      const updated = await repository.update(actor.tenantId, slug, {
        ...changes,
        ...(changes.toolkits ? { toolkits: [...new Set(changes.toolkits)] } : {}),
        ...(changes.tools ? { tools: [...new Set(changes.tools)] } : {}),
        ...(changes.adminOnlyTools ? { adminOnlyTools: [...new Set(changes.adminOnlyTools)] } : {}),
      });
      if (!updated) throw new TenancyError('not_found', 'No such MCP server.');
      await this.record(
        tx,
        actor,
        {
          action: 'mcp_server.updated',
          target: { type: 'mcp_server', id: updated.id },
          outcome: 'success',
          metadata: { slug, changes },
        },
        requestId,
      );
      return updated;
    });
    await this.onChange({
      tenantId: actor.tenantId,
      tenantSlug: actor.tenantSlug,
      serverId: saved.id,
      serverSlug: saved.slug,
      // Anything but the title and description may change which tools a session sees.
      toolsChanged: Object.entries(changes).some(
        ([key, value]) => value !== undefined && key !== 'title' && key !== 'description',
      ),
      deleted: false,
    });
    return saved;
  }

  async delete(actor: Actor, slug: string, requestId?: string, expectedRevision?: string): Promise<void> {
    requireScope(actor, 'servers:write');
    const serverId = await withTenant(this.db, actor.tenantId, async (tx) => {
      const repository = new McpServerRepository(tx);
      const server =
        expectedRevision === undefined
          ? await repository.findBySlug(actor.tenantId, slug)
          : await repository.findBySlugForUpdate(actor.tenantId, slug);
      if (server) checkRevision(server, expectedRevision);
      if (!server || !(await repository.delete(actor.tenantId, slug)))
        throw new TenancyError('not_found', 'No such MCP server.');
      // Tokens for this address die with the server, even if a server of the same name comes back later.
      const revoked = await new OAuthModelRepository(tx).revokeForResources(actor.tenantSlug, slug);
      await this.record(
        tx,
        actor,
        {
          action: 'mcp_server.deleted',
          target: { type: 'mcp_server', id: server.id },
          outcome: 'success',
          metadata: { slug, oauthRowsRevoked: revoked },
        },
        requestId,
      );
      return server.id;
    });
    await this.onChange({
      tenantId: actor.tenantId,
      tenantSlug: actor.tenantSlug,
      serverId,
      serverSlug: slug,
      toolsChanged: true,
      deleted: true,
    });
  }

  /** A tenant was deleted (committed): each of its servers is announced as deleted, which ends its sessions. */
  async tenantDeleted(deletion: {
    tenantId: string;
    tenantSlug: string;
    servers: { id: string; slug: string }[];
  }): Promise<void> {
    for (const server of deletion.servers)
      await this.onChange({
        tenantId: deletion.tenantId,
        tenantSlug: deletion.tenantSlug,
        serverId: server.id,
        serverSlug: server.slug,
        toolsChanged: true,
        deleted: true,
      });
  }

  /**
   * A member's role changed (committed): every server of the tenant whose tools they see changes with it (admin-only
   * tools) is announced as changed for their sessions only.
   */
  async memberRoleChanged(change: MemberRoleChange): Promise<void> {
    const servers = await withTenant(this.db, change.tenantId, (tx) =>
      new McpServerRepository(tx).list(change.tenantId),
    );
    for (const server of servers) {
      const [before, after] = [
        withheldFor(change.from, server.adminOnlyTools),
        withheldFor(change.to, server.adminOnlyTools),
      ];
      if (before.length === after.length && before.every((tool, index) => tool === after[index])) continue;
      await this.onChange({
        tenantId: change.tenantId,
        tenantSlug: change.tenantSlug,
        serverId: server.id,
        serverSlug: server.slug,
        toolsChanged: true,
        deleted: false,
        userId: change.userId,
      });
    }
  }
}
