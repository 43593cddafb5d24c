import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  AuditRepository,
  createDatabase,
  findConnectionWithTokens,
  membershipRole,
  SecretRepository,
  TenantRepository,
  withScope,
  withTenant,
  type Database,
} from '../src/index.js';

// Row-level security, checked through the role the api and worker use (gatehouse_app).

let owner: Database;
let app: Database;
let tenantA: string;
let tenantB: string;

beforeAll(async () => {
  owner = createDatabase({ url: process.env.GATEHOUSE_TEST_DATABASE_URL!, maxConnections: 2 });
  app = createDatabase({ url: process.env.GATEHOUSE_TEST_APP_DATABASE_URL!, maxConnections: 4 });
  const tenants = new TenantRepository(owner);
  tenantA = (await tenants.create({ slug: `rls-a-${randomUUID().slice(0, 8)}`, name: 'A' })).id;
  tenantB = (await tenants.create({ slug: `rls-b-${randomUUID().slice(0, 8)}`, name: 'B' })).id;
  // Seed one data key and one secret per tenant as the owner (bypasses RLS).
  for (const tenantId of [tenantA, tenantB]) {
    await owner.$executeRaw`INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, kek_version, state) VALUES (${tenantId}::uuid, 1, ${Buffer.from('w')}, 'v1', 'active')`;
    await owner.$executeRaw`INSERT INTO secrets (tenant_id, owner, purpose, blob, dek_version) VALUES (${tenantId}::uuid, 'o', 'p', ${Buffer.from(tenantId)}, 1)`;
  }
});

afterAll(async () => {
  await Promise.all([owner.$disconnect(), app.$disconnect()]);
});

describe('row-level security for the app role', () => {
  it('connects as a role that cannot bypass RLS', async () => {
    const [role] = await app.$queryRaw<{ rolsuper: boolean; rolbypassrls: boolean }[]>`
      SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it('returns no rows from any tenant-owned table when the code forgets the tenant setting', async () => {
    const tables = await owner.$queryRaw<{ table_name: string }[]>`
      SELECT DISTINCT table_name::text AS table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['memberships', 'secrets', 'tenant_data_keys']),
    );
    for (const { table_name: table } of tables) {
      const [owned] = await owner.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${table}"`);
      const [seen] = await app.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${table}"`);
      expect({ table, seen: Number(seen!.n) }).toEqual({ table, seen: 0 });
      if (['secrets', 'tenant_data_keys'].includes(table)) expect(Number(owned!.n)).toBeGreaterThan(0);
    }
  });

  it("sees only the scoped tenant's rows even when the query names the other tenant", async () => {
    const leaked = await withTenant(app, tenantA, (tx) => tx.secret.findMany({ where: { tenantId: tenantB } }));
    expect(leaked).toEqual([]);
    const own = await withTenant(app, tenantA, (tx) => tx.secret.findMany({}));
    expect(own.map((s) => s.tenantId)).toEqual([tenantA]);
  });

  it('refuses to write a row into another tenant', async () => {
    await expect(
      withTenant(
        app,
        tenantA,
        (tx) =>
          tx.$executeRaw`INSERT INTO secrets (tenant_id, owner, purpose, blob, dek_version) VALUES (${tenantB}::uuid, 'x', 'y', ${Buffer.from('z')}, 1)`,
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('fills tenant_id from the scope when omitted', async () => {
    await withTenant(
      app,
      tenantA,
      (tx) =>
        tx.$executeRaw`INSERT INTO secrets (owner, purpose, blob, dek_version) VALUES ('auto', 'fill', ${Buffer.from('q')}, 1)`,
    );
    expect(await new SecretRepository(app).get(tenantA, 'auto', 'fill')).toMatchObject({ dekVersion: 1 });
    expect(await new SecretRepository(app).get(tenantB, 'auto', 'fill')).toBeNull();
  });

  it("a tenant's own row is changed or deleted only in its own scope; anyone may read and create one", async () => {
    // Scoped to A (and to a person): B's limits, name and row are out of reach.
    await withScope(app, { tenantId: tenantA, userId: randomUUID() }, async (tx) => {
      expect(
        await tx.$executeRaw`UPDATE tenants SET tool_limits = '{"perTenant": 999999}' WHERE id = ${tenantB}::uuid`,
      ).toBe(0);
      expect(await tx.$executeRaw`DELETE FROM tenants WHERE id = ${tenantB}::uuid`).toBe(0);
      expect(await new TenantRepository(tx).setToolLimits(tenantA, { perTenant: 10 })).toMatchObject({
        toolLimits: { perTenant: 10 },
      });
    });
    expect(await owner.$queryRaw`SELECT tool_limits FROM tenants WHERE id = ${tenantB}::uuid`).toEqual([
      { tool_limits: {} },
    ]);
    // Unscoped: lookups and creation work, changes do not.
    expect(await app.$executeRaw`UPDATE tenants SET name = 'x' WHERE id = ${tenantA}::uuid`).toBe(0);
    const created = await new TenantRepository(app).create({ slug: `rls-c-${randomUUID().slice(0, 8)}`, name: 'C' });
    expect(await new TenantRepository(app).findBySlug(created.slug)).toMatchObject({ id: created.id });
  });

  it("a write scoped to one tenant never reaches the person's memberships of another", async () => {
    const person = randomUUID();
    await owner.$executeRaw`INSERT INTO users (id, email, display_name, updated_at) VALUES (${person}::uuid, ${`rls-${person}@example.com`}, 'P', now())`;
    for (const tenantId of [tenantA, tenantB])
      await owner.$executeRaw`INSERT INTO memberships (tenant_id, user_id, role, updated_at) VALUES (${tenantId}::uuid, ${person}::uuid, 'owner', now())`;
    await withScope(app, { tenantId: tenantA, userId: person }, async (tx) => {
      // The person's tenant list still shows both.
      expect(
        await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM memberships WHERE user_id = ${person}::uuid`,
      ).toEqual([{ n: 2n }]);
      expect(await tx.$executeRaw`UPDATE memberships SET role = 'member' WHERE user_id = ${person}::uuid`).toBe(1);
      expect(await tx.$executeRaw`DELETE FROM memberships WHERE user_id = ${person}::uuid`).toBe(1);
    });
    expect(
      await owner.$queryRaw<
        { tenant_id: string; role: string }[]
      >`SELECT tenant_id::text, role::text FROM memberships WHERE user_id = ${person}::uuid`,
    ).toEqual([{ tenant_id: tenantB, role: 'owner' }]);
  });

  it('does not leak the setting to the next transaction on a pooled connection', async () => {
    await withTenant(app, tenantA, (tx) => tx.secret.count());
    const after = await withScope(app, {}, (tx) => tx.secret.count());
    expect(after).toBe(0);
  });

  it('cannot truncate, or read migration bookkeeping', async () => {
    await expect(app.$executeRawUnsafe('TRUNCATE secrets')).rejects.toThrow(/permission denied/);
    await expect(app.$queryRawUnsafe('SELECT * FROM _prisma_migrations')).rejects.toThrow(/permission denied/);
  });

  it("the hot path's scoped functions read one tenant's rows and leave no scope behind", async () => {
    const userId = randomUUID();
    await owner.$executeRaw`INSERT INTO users (id, email, display_name, updated_at) VALUES (${userId}::uuid, ${`${userId}@rls.test`}, 'P', now())`;
    await owner.$executeRaw`INSERT INTO memberships (tenant_id, user_id, role, updated_at) VALUES (${tenantA}::uuid, ${userId}::uuid, 'admin', now())`;
    expect(await membershipRole(app, tenantA, userId)).toBe('admin');
    expect(await membershipRole(app, tenantB, userId)).toBeNull();
    expect(await membershipRole(app, tenantA, 'not-a-uuid')).toBeNull();
    // Called inside a transaction scoped to tenant B, the function reads A and puts B's scope back.
    const [inside] = await withTenant(app, tenantB, async (tx) => {
      await tx.$queryRaw`SELECT gatehouse_member_role(${tenantA}::uuid, ${userId}::uuid)`;
      return tx.secret.findMany({});
    });
    expect(inside?.tenantId).toBe(tenantB);
    // A member without a connection; and someone who is not a member of B at all (B's rows stay unseen).
    expect(await findConnectionWithTokens(app, { tenantId: tenantA, userId, providerId: 'demo' })).toEqual({
      member: true,
      role: 'admin',
      server: null,
      found: null,
    });
    // With the MCP server the call came through: what it exposes; another tenant's server reads as gone.
    const [server] = await owner.$queryRaw<{ id: string }[]>`
      INSERT INTO mcp_servers (tenant_id, slug, title, toolkits, tools, admin_only_tools, updated_at)
      VALUES (${tenantA}::uuid, ${`s-${userId.slice(0, 8)}`}, 'S', ARRAY['demo'], ARRAY['github.list_issues'],
              ARRAY['demo.delete_note'], now())
      RETURNING id`;
    expect(await findConnectionWithTokens(app, { tenantId: tenantA, userId, providerId: 'demo' }, server!.id)).toEqual({
      member: true,
      role: 'admin',
      server: { toolkits: ['demo'], tools: ['github.list_issues'], adminOnlyTools: ['demo.delete_note'] },
      found: null,
    });
    await owner.$executeRaw`INSERT INTO memberships (tenant_id, user_id, role, updated_at) VALUES (${tenantB}::uuid, ${userId}::uuid, 'member', now())`;
    expect(await findConnectionWithTokens(app, { tenantId: tenantB, userId, providerId: 'demo' }, server!.id)).toEqual({
      member: true,
      role: 'member',
      server: null,
      found: null,
    });
    await owner.$executeRaw`DELETE FROM memberships WHERE tenant_id = ${tenantB}::uuid AND user_id = ${userId}::uuid`;
    expect(await findConnectionWithTokens(app, { tenantId: tenantB, userId, providerId: 'demo' })).toEqual({
      member: false,
    });
    const [afterConnection] = await withTenant(app, tenantB, async (tx) => {
      await tx.$queryRaw`SELECT * FROM gatehouse_member_connection(${tenantA}::uuid, ${userId}::uuid, 'demo', NULL)`;
      return tx.secret.findMany({});
    });
    expect(afterConnection?.tenantId).toBe(tenantB);
  });

  it('an audit append refuses a transaction scoped to another tenant, and appends in its own scope', async () => {
    await expect(
      withTenant(app, tenantB, (tx) => tx.$queryRaw`SELECT * FROM gatehouse_audit_lock_head(${tenantA}::uuid)`),
    ).rejects.toThrow(/other than the transaction's scope/);
    const audit = new AuditRepository(app);
    const hash = Buffer.alloc(32, 7);
    const row = (seq: number, prevHash: Buffer) => ({
      tenantId: tenantA,
      seq,
      occurredAt: new Date(),
      actorType: 'system' as const,
      actorId: null,
      action: 'rls.probe',
      targetType: null,
      targetId: null,
      outcome: 'success' as const,
      requestId: null,
      traceId: null,
      metadata: {},
      prevHash,
      hash,
    });
    const next = (head: { lastSeq: number; lastHash: Buffer } | null) => [
      row((head?.lastSeq ?? 0) + 1, head?.lastHash ?? Buffer.alloc(32)),
    ];
    await audit.appendLinked(tenantA, next);
    expect(await audit.head(tenantA)).toMatchObject({ lastSeq: 1, lastHash: hash });
    expect(await audit.head(tenantB)).toBeNull();
    // The one-statement append is a compare-and-set on the head: refused in another tenant's scope, and a process
    // whose idea of the head is stale (another appended meanwhile) builds again on the real one.
    await expect(
      withTenant(
        app,
        tenantB,
        (tx) =>
          tx.$queryRaw`SELECT * FROM gatehouse_audit_append(${tenantA}::uuid, 1, ${hash}, '[]'::jsonb, 1, ${hash})`,
      ),
    ).rejects.toThrow(/other than the transaction's scope/);
    const elsewhere = new AuditRepository(app);
    await elsewhere.appendLinked(tenantA, next);
    const built: number[] = [];
    await audit.appendLinked(tenantA, (head) => {
      built.push(head?.lastSeq ?? 0);
      return next(head);
    });
    expect(built).toEqual([1, 2]);
    expect(await audit.head(tenantA)).toMatchObject({ lastSeq: 3 });
    // Inside a caller's transaction the append waits on the head's lock and builds on the current head.
    await withTenant(app, tenantA, (tx) => elsewhere.appendLinked(tenantA, next, tx));
    expect(await audit.head(tenantA)).toMatchObject({ lastSeq: 4 });
  });

  it('every table with tenant_id has forced RLS and a policy', async () => {
    const client = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_DATABASE_URL! });
    await client.connect();
    try {
      await expect(client.query('SELECT gatehouse_assert_rls()')).resolves.toBeDefined();
      await client.query('CREATE TABLE rls_probe (tenant_id uuid)');
      await expect(client.query('SELECT gatehouse_assert_rls()')).rejects.toThrow(
        'row-level security is missing on tenant-owned tables: rls_probe',
      );
      await client.query('DROP TABLE rls_probe');
    } finally {
      await client.end();
    }
  });
});

describe('the maintenance role (BYPASSRLS)', () => {
  it('reads which keys wrap the data keys, and which audit chains exist — and can do nothing else', async () => {
    const client = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_MAINTENANCE_DATABASE_URL! });
    await client.connect();
    try {
      // What `gatehouse-admin vault` and `audit verify --all` read, across every tenant.
      const keys = await client.query('SELECT tenant_id, kek_version FROM tenant_data_keys');
      expect(keys.rows.map((row: { tenant_id: string }) => row.tenant_id)).toEqual(
        expect.arrayContaining([tenantA, tenantB]),
      );
      await expect(client.query('SELECT tenant_id FROM audit_chain_heads')).resolves.toBeDefined();
      // Nothing a leaked password could turn against a tenant.
      for (const statement of [
        'SELECT blob FROM secrets',
        'SELECT * FROM memberships',
        'SELECT * FROM users',
        `INSERT INTO memberships (tenant_id, user_id, role) VALUES ('${tenantA}', gen_random_uuid(), 'owner')`,
        `UPDATE audit_chain_heads SET last_seq = last_seq + 1 WHERE tenant_id = '${tenantA}'`,
        `INSERT INTO audit_events (tenant_id, seq) VALUES ('${tenantA}', 999999)`,
        `UPDATE tenant_data_keys SET kek_version = 'x' WHERE tenant_id = '${tenantA}'`,
        `DELETE FROM tenant_data_keys WHERE tenant_id = '${tenantA}'`,
        `SELECT * FROM gatehouse_member_connection('${tenantA}', gen_random_uuid(), 'demo', gen_random_uuid())`,
      ])
        await expect(client.query(statement)).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});
