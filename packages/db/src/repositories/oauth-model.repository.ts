import type { Prisma } from '../generated/prisma/client.js';
import type { DbExecutor } from '../client.js';
import { noteAuthChange } from '../auth-changes.js';
import { sqlOf } from '../sql.js';
import type { MembershipRole } from './membership.repository.js';

/** One stored authorization-server object (session, interaction, code, token, grant, client, …). */
export interface OAuthModelRow {
  payload: Record<string, unknown>;
  consumed: boolean;
}

export interface OAuthModelIndex {
  grantId?: string | undefined;
  uid?: string | undefined;
  userCode?: string | undefined;
  accountId?: string | undefined;
  clientId?: string | undefined;
}

/**
 * Kinds an access-token check reads: a write to one is noted in this process at once (`noteAuthChange`), and
 * announced to every other when it commits (migration `auth_change_notifications`).
 */
const ACCESS_KINDS = new Set(['AccessToken', 'Session', 'Grant']);

/**
 * Storage behind the authorization server's adapter. Platform-wide (no tenant): the authorization server has one
 * issuer; tokens name their tenant through their audience. Expired rows read as absent and are swept by
 * `deleteExpired`.
 */
export class OAuthModelRepository {
  constructor(private readonly db: DbExecutor) {}

  async upsert(
    kind: string,
    id: string,
    payload: Record<string, unknown>,
    expiresAt: Date | null,
    index: OAuthModelIndex,
  ): Promise<void> {
    const data = {
      payload: payload as Prisma.InputJsonValue,
      expiresAt,
      grantId: index.grantId ?? null,
      uid: index.uid ?? null,
      userCode: index.userCode ?? null,
      accountId: index.accountId ?? null,
      clientId: index.clientId ?? null,
    };
    await this.db.oAuthModel.upsert({
      where: { kind_id: { kind, id } },
      create: { kind, id, ...data },
      update: data,
    });
    if (ACCESS_KINDS.has(kind)) noteAuthChange();
  }

  /** Stores a row unless one exists (first writer wins); used for values every instance must agree on. */
  async insertIfAbsent(kind: string, id: string, payload: Record<string, unknown>): Promise<void> {
    await this.db.oAuthModel.createMany({
      data: [{ kind, id, payload: payload as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
  }

  /**
   * Every MCP request looks its access token up (and, for tokens bound to a sign-in session, the session by uid):
   * plain SQL, one round trip (see sql.ts). Expired rows read as absent.
   */
  private async findOne(kind: string, column: 'id' | 'uid' | 'user_code', value: string) {
    const [row] = await sqlOf(this.db).query<OAuthModelRow>(
      `SELECT payload, consumed_at IS NOT NULL AS consumed FROM oauth_models
       WHERE kind = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`,
      [kind, value],
    );
    return row;
  }

  find(kind: string, id: string) {
    return this.findOne(kind, 'id', id);
  }

  findByUid(kind: string, uid: string) {
    return this.findOne(kind, 'uid', uid);
  }

  findByUserCode(kind: string, userCode: string) {
    return this.findOne(kind, 'user_code', userCode);
  }

  /**
   * What every MCP request needs of its access token, in one round trip: the token (by stored id), its user's role
   * in `tenantId` (null: not a member) and, for a token bound to a sign-in session, that session (by uid; absent
   * when it is gone or expired).
   */
  async findAccessTokenWithRole(
    id: string,
    tenantId: string,
  ): Promise<
    (OAuthModelRow & { role: MembershipRole | null; session: (OAuthModelRow & { uid: string }) | null }) | undefined
  > {
    const [row] = await sqlOf(this.db).query<
      OAuthModelRow & {
        role: MembershipRole | null;
        session_uid: string | null;
        session_payload: Record<string, unknown> | null;
        session_consumed: boolean | null;
      }
    >(
      `SELECT t.payload, t.consumed_at IS NOT NULL AS consumed,
              CASE WHEN t.account_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                   THEN gatehouse_member_role($2::uuid, t.account_id::uuid) END AS role,
              s.uid AS session_uid, s.payload AS session_payload, s.consumed_at IS NOT NULL AS session_consumed
       FROM oauth_models t
       LEFT JOIN LATERAL (
         SELECT uid, payload, consumed_at FROM oauth_models
         WHERE kind = 'Session' AND uid = t.payload->>'sessionUid' AND (expires_at IS NULL OR expires_at > now())
         LIMIT 1
       ) s ON t.payload->>'expiresWithSession' = 'true'
       WHERE t.kind = 'AccessToken' AND t.id = $1 AND (t.expires_at IS NULL OR t.expires_at > now()) LIMIT 1`,
      [id, tenantId],
    );
    if (!row) return undefined;
    const { session_uid: uid, session_payload: sessionPayload, session_consumed: sessionConsumed, ...token } = row;
    return {
      ...token,
      session: uid && sessionPayload ? { uid, payload: sessionPayload, consumed: sessionConsumed === true } : null,
    };
  }

  /** Marks the row consumed; false when it was already consumed (or is gone): exactly one caller wins. */
  async consume(kind: string, id: string): Promise<boolean> {
    const { count } = await this.db.oAuthModel.updateMany({
      where: { kind, id, consumedAt: null },
      data: { consumedAt: new Date() },
    });
    if (ACCESS_KINDS.has(kind)) noteAuthChange();
    return count === 1;
  }

  async destroy(kind: string, id: string): Promise<void> {
    await this.db.oAuthModel.deleteMany({ where: { kind, id } });
    if (ACCESS_KINDS.has(kind)) noteAuthChange();
  }

  /** Revokes everything issued under a grant (every kind), e.g. when an authorization code is replayed. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.oAuthModel.deleteMany({ where: { grantId } });
    noteAuthChange();
  }

  /**
   * Revokes a person's remembered consent for a client at one MCP server (`resource`, its exact URL): see
   * `withdrawResources`.
   */
  revokeConsent(accountId: string, clientId: string, resource: string): Promise<number> {
    return this.withdrawResources({ exact: resource, accountId, clientId });
  }

  /**
   * Revokes what was authorized for MCP servers whose URL path ends with `/t/{tenant}/mcp/{server}` or, without
   * `serverSlug`, for any server of the tenant (see `withdrawResources`). Run when a server or tenant is deleted, so
   * that a server later created under the same address does not honour old tokens. Slugs are `[a-z0-9-]`, so they
   * hold no LIKE wildcards.
   */
  revokeForResources(tenantSlug: string, serverSlug?: string): Promise<number> {
    const like = serverSlug ? `%/t/${tenantSlug}/mcp/${serverSlug}` : `%/t/${tenantSlug}/mcp/%`;
    return this.withdrawResources({ like });
  }

  /**
   * Takes resources (MCP server URLs: `exact`, or matching `like`) out of the grants that cover them, and revokes
   * what was issued for them: codes, access and refresh tokens naming them. A grant is one client's in one sign-in
   * session and may cover servers of several tenants (the same client authorized for each): only a grant left with
   * no resource is revoked whole, with everything issued under it — one tenant deleting its server does not end the
   * person's access to another tenant's. Returns how many rows were changed or deleted.
   */
  private async withdrawResources(target: {
    exact?: string;
    like?: string;
    accountId?: string;
    clientId?: string;
  }): Promise<number> {
    const exact = target.exact ?? null;
    const like = target.like ?? null;
    const accountId = target.accountId ?? null;
    const clientId = target.clientId ?? null;
    // `(url = exact OR url LIKE like) IS TRUE`: one of the two is null, and a null comparison is not a match.
    const rows = await this.db.$queryRaw<{ changed: bigint }[]>`
      WITH matched AS (
        SELECT g.id, EXISTS (
            SELECT 1 FROM jsonb_object_keys(g.payload -> 'resources') AS r(url)
            WHERE (r.url = ${exact}::text OR r.url LIKE ${like}::text) IS NOT TRUE
          ) AS others
        FROM oauth_models g
        WHERE g.kind = 'Grant'
          AND (${accountId}::text IS NULL OR g.account_id = ${accountId}::text)
          AND (${clientId}::text IS NULL OR g.client_id = ${clientId}::text)
          AND EXISTS (
            SELECT 1 FROM jsonb_object_keys(g.payload -> 'resources') AS r(url)
            WHERE (r.url = ${exact}::text OR r.url LIKE ${like}::text) IS TRUE
          )
      ),
      narrowed AS (
        UPDATE oauth_models g
        SET payload = jsonb_set(g.payload, '{resources}', (
          SELECT coalesce(jsonb_object_agg(r.key, r.value), '{}'::jsonb) FROM jsonb_each(g.payload -> 'resources') AS r
          WHERE (r.key = ${exact}::text OR r.key LIKE ${like}::text) IS NOT TRUE))
        FROM matched m
        WHERE g.kind = 'Grant' AND g.id = m.id AND m.others
        RETURNING g.id
      ),
      deleted AS (
        DELETE FROM oauth_models t
        USING matched m
        WHERE (NOT m.others AND (t.grant_id = m.id OR (t.kind = 'Grant' AND t.id = m.id)))
           OR (m.others AND t.kind <> 'Grant' AND t.grant_id = m.id AND EXISTS (
                 SELECT 1 FROM jsonb_array_elements_text(
                   CASE jsonb_typeof(coalesce(t.payload -> 'aud', t.payload -> 'resource'))
                     WHEN 'array' THEN coalesce(t.payload -> 'aud', t.payload -> 'resource')
                     WHEN 'string' THEN jsonb_build_array(coalesce(t.payload -> 'aud', t.payload -> 'resource'))
                     ELSE '[]'::jsonb
                   END) AS issued(url)
                 WHERE (issued.url = ${exact}::text OR issued.url LIKE ${like}::text) IS TRUE))
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM narrowed) + (SELECT count(*) FROM deleted) AS changed`;
    noteAuthChange();
    return Number(rows[0]?.changed ?? 0);
  }

  /**
   * Deletes dynamically registered clients created before `before` that hold no grant: registration is open, so
   * abandoned registrations must not pile up. A client that comes back gets `invalid_client` and registers again.
   */
  deleteUnusedClients(before: Date): Promise<number> {
    return this.db.$executeRaw`
      DELETE FROM oauth_models c
      WHERE c.kind = 'Client' AND c.created_at < ${before}
        AND NOT EXISTS (SELECT 1 FROM oauth_models g WHERE g.kind = 'Grant' AND g.client_id = c.id)`;
  }

  async deleteExpired(before = new Date()): Promise<number> {
    const { count } = await this.db.oAuthModel.deleteMany({ where: { expiresAt: { lt: before } } });
    if (count > 0) noteAuthChange();
    return count;
  }
}
