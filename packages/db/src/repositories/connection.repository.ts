import { changingAuth } from '../auth-changes.js';
import type { MembershipRole } from './membership.repository.js';
import type { Database, DbExecutor } from '../client.js';
import { sqlOf } from '../sql.js';

export type ConnectionStatus = 'active' | 'needs_reauth';

export interface ConnectionRecord {
  id: string;
  tenantId: string;
  userId: string;
  providerAppId: string;
  providerId: string;
  externalAccountId: string;
  accountLabel: string | null;
  scopes: string[];
  status: ConnectionStatus;
  accessExpiresAt: Date | null;
  tokenVersion: number;
  /** When the current tokens were obtained (connect or refresh). */
  tokensIssuedAt: Date;
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: true,
  tenantId: true,
  userId: true,
  providerAppId: true,
  providerId: true,
  externalAccountId: true,
  accountLabel: true,
  scopes: true,
  status: true,
  accessExpiresAt: true,
  tokenVersion: true,
  tokensIssuedAt: true,
  lastUsedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

function toRecord(row: Omit<ConnectionRecord, 'status'> & { status: string }): ConnectionRecord {
  return { ...row, status: row.status === 'active' ? 'active' : 'needs_reauth' };
}

/** The columns of `columns` in SQL, named as the record's fields. */
const SELECT_COLUMNS = Object.keys(columns)
  .map((field) => `${field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)} AS "${field}"`)
  .join(', ');

/** What an MCP server exposes (see @gatehouse/tools `exposesTool`). */
export interface ServerToolsRecord {
  toolkits: string[];
  tools: string[];
  adminOnlyTools: string[];
}

/**
 * What every tool call reads, in one round trip (see sql.ts): whether the person is (still) a member of the tenant
 * and with which role, what MCP server `serverId` (still) exposes (null: gone, or no server asked about), and the
 * person's connection to one provider with its sealed tokens (`found` null: not connected). Row-level security
 * applies (the function runs as the caller, scoped to the tenant).
 */
export async function findConnectionWithTokens(
  db: Database,
  key: ConnectionKey,
  serverId?: string,
): Promise<
  | { member: false }
  | {
      member: true;
      role: MembershipRole;
      server: ServerToolsRecord | null;
      found: { connection: ConnectionRecord; sealedTokens: Buffer | null } | null;
    }
> {
  const [row] = await sqlOf(db).query<
    Omit<ConnectionRecord, 'status'> & {
      role: MembershipRole;
      serverToolkits: string[] | null;
      serverTools: string[] | null;
      serverAdminOnlyTools: string[] | null;
      status: string;
      sealedTokens: Uint8Array | null;
    }
  >(
    `SELECT role, server_toolkits AS "serverToolkits", server_tools AS "serverTools",
            server_admin_only_tools AS "serverAdminOnlyTools", ${SELECT_COLUMNS}, sealed_tokens AS "sealedTokens"
     FROM gatehouse_member_connection($1::uuid, $2::uuid, $3, $4::uuid)`,
    [key.tenantId, key.userId, key.providerId, serverId ?? null],
  );
  if (!row) return { member: false };
  const { sealedTokens, role, serverToolkits, serverTools, serverAdminOnlyTools, ...connection } = row;
  const server =
    serverToolkits && serverTools && serverAdminOnlyTools
      ? { toolkits: serverToolkits, tools: serverTools, adminOnlyTools: serverAdminOnlyTools }
      : null;
  if (connection.id === null) return { member: true, role, server, found: null };
  return {
    member: true,
    role,
    server,
    found: { connection: toRecord(connection), sealedTokens: sealedTokens ? Buffer.from(sealedTokens) : null },
  };
}

export interface ConnectionKey {
  tenantId: string;
  userId: string;
  providerId: string;
}

/**
 * People's connections to providers. Runs inside a tenant scope (withTenant); row-level security applies. Tokens
 * are not here: they are sealed in `secrets` (owner `connection:<id>`), deleted by a trigger with the row.
 */
export class ConnectionRepository {
  constructor(private readonly db: DbExecutor) {}

  async find(key: ConnectionKey): Promise<ConnectionRecord | null> {
    const row = await this.db.connection.findFirst({ where: key, select: columns });
    return row ? toRecord(row) : null;
  }

  /** The person's connections in the tenant, by provider. */
  async listForUser(tenantId: string, userId: string): Promise<ConnectionRecord[]> {
    const rows = await this.db.connection.findMany({
      where: { tenantId, userId },
      select: columns,
      orderBy: { providerId: 'asc' },
    });
    return rows.map(toRecord);
  }

  /** Every person's connection to `providerId` in the tenant. */
  async listForProvider(tenantId: string, providerId: string): Promise<ConnectionRecord[]> {
    const rows = await this.db.connection.findMany({
      where: { tenantId, providerId },
      select: columns,
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toRecord);
  }

  /**
   * Creates the connection or replaces the existing one for (tenant, user, provider) — a reconnect, possibly to
   * another account — as active with a new token version. Returns the row and whether it is new.
   */
  async upsert(
    key: ConnectionKey & {
      providerAppId: string;
      externalAccountId: string;
      accountLabel: string | null;
      scopes: string[];
      accessExpiresAt: Date | null;
    },
  ): Promise<{ connection: ConnectionRecord; created: boolean }> {
    const existing = await this.find({ tenantId: key.tenantId, userId: key.userId, providerId: key.providerId });
    const data = {
      providerAppId: key.providerAppId,
      externalAccountId: key.externalAccountId,
      accountLabel: key.accountLabel,
      scopes: key.scopes,
      accessExpiresAt: key.accessExpiresAt,
      status: 'active',
    };
    if (existing) {
      const row = await changingAuth(() =>
        this.db.connection.update({
          where: { id: existing.id },
          data: { ...data, tokenVersion: { increment: 1 }, tokensIssuedAt: new Date() },
          select: columns,
        }),
      );
      return { connection: toRecord(row), created: false };
    }
    const row = await this.db.connection.create({
      data: { tenantId: key.tenantId, userId: key.userId, providerId: key.providerId, ...data },
      select: columns,
    });
    return { connection: toRecord(row), created: true };
  }

  /**
   * Records a refresh if the connection still has `fromVersion` (compare-and-set); false when another process
   * changed the tokens first.
   */
  async recordRefresh(
    tenantId: string,
    id: string,
    fromVersion: number,
    change: { accessExpiresAt: Date | null; scopes: string[] },
  ): Promise<boolean> {
    const result = await changingAuth(() =>
      this.db.connection.updateMany({
        where: { tenantId, id, tokenVersion: fromVersion },
        data: { ...change, status: 'active', tokenVersion: { increment: 1 }, tokensIssuedAt: new Date() },
      }),
    );
    return result.count === 1;
  }

  /** Marks the connection `needs_reauth` unless its tokens changed since `fromVersion` (someone reconnected). */
  async markNeedsReauth(tenantId: string, id: string, fromVersion: number): Promise<boolean> {
    const result = await changingAuth(() =>
      this.db.connection.updateMany({
        where: { tenantId, id, tokenVersion: fromVersion },
        data: { status: 'needs_reauth' },
      }),
    );
    return result.count === 1;
  }

  /**
   * Records a narrower grant than the one stored (the provider refused the token for want of a scope) unless its
   * tokens changed since `fromVersion` (a refresh or reconnect may have brought the scope).
   */
  async narrowScopes(tenantId: string, id: string, fromVersion: number, scopes: string[]): Promise<boolean> {
    const result = await changingAuth(() =>
      this.db.connection.updateMany({ where: { tenantId, id, tokenVersion: fromVersion }, data: { scopes } }),
    );
    return result.count === 1;
  }

  /** Last-use bookkeeping: the one change that leaves what a tool call reads as it was (not announced). */
  async touch(tenantId: string, id: string, at: Date): Promise<void> {
    await this.db.connection.updateMany({ where: { tenantId, id }, data: { lastUsedAt: at } });
  }

  async delete(key: ConnectionKey): Promise<ConnectionRecord | null> {
    const connection = await this.find(key);
    if (!connection) return null;
    await changingAuth(() => this.db.connection.deleteMany({ where: { tenantId: key.tenantId, id: connection.id } }));
    return connection;
  }
}
