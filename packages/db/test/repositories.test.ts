import { randomUUID } from 'node:crypto';
import {
  createDatabase,
  DataError,
  DEMO_TENANT,
  MembershipRepository,
  OAuthConsentRepository,
  seedDemoTenant,
  TenantRepository,
  UserRepository,
  withTenant,
  type Database,
} from '../src/index.js';

let db: Database;

beforeAll(() => {
  const url = process.env.GATEHOUSE_TEST_DATABASE_URL;
  if (!url) throw new Error('global setup did not create a database');
  db = createDatabase({ url, maxConnections: 4 });
});

afterAll(async () => {
  await db.$disconnect();
});

const slug = () => `t-${randomUUID().slice(0, 8)}`;

describe('TenantRepository', () => {
  it('creates a tenant and finds it by slug', async () => {
    const tenants = new TenantRepository(db);
    const created = await tenants.create({ slug: slug(), name: 'Acme' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(tenants.findBySlug(created.slug)).resolves.toEqual(created);
  });

  it('reports a taken slug as a conflict, not a crash', async () => {
    const tenants = new TenantRepository(db);
    const taken = slug();
    await tenants.create({ slug: taken, name: 'First' });
    const error: unknown = await tenants.create({ slug: taken, name: 'Second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe('conflict');
  });

  it('lets the database refuse a malformed slug', async () => {
    await expect(new TenantRepository(db).create({ slug: 'Not A Slug!', name: 'x' })).rejects.toThrow();
  });
});

describe('UserRepository', () => {
  it('treats emails case-insensitively', async () => {
    const users = new UserRepository(db);
    const local = randomUUID().slice(0, 8);
    const user = await users.create({ email: `  Ada.${local}@Example.COM `, displayName: 'Ada' });
    expect(user.email).toBe(`ada.${local}@example.com`);
    await expect(users.findByEmail(`ADA.${local}@example.com`)).resolves.toEqual(user);
    await expect(users.create({ email: `ada.${local}@EXAMPLE.com`, displayName: 'Twin' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});

describe('MembershipRepository', () => {
  it('lists the tenants of a user with roles and refuses a duplicate membership', async () => {
    const tenants = new TenantRepository(db);
    const users = new UserRepository(db);
    const memberships = new MembershipRepository(db);
    const [a, b] = [
      await tenants.create({ slug: `a-${slug()}`, name: 'A' }),
      await tenants.create({ slug: `b-${slug()}`, name: 'B' }),
    ];
    const user = await users.create({ email: `${randomUUID()}@example.com`, displayName: 'M' });
    await memberships.add({ tenantId: a.id, userId: user.id, role: 'owner' });
    await memberships.add({ tenantId: b.id, userId: user.id, role: 'member' });
    await expect(memberships.add({ tenantId: b.id, userId: user.id, role: 'admin' })).rejects.toMatchObject({
      code: 'conflict',
    });
    const listed = await memberships.tenantsOf(user.id);
    expect(listed.map((t) => [t.slug, t.role])).toEqual([
      [a.slug, 'owner'],
      [b.slug, 'member'],
    ]);
  });
});

describe('OAuthConsentRepository', () => {
  it('remembers approvals given at once without a conflict, keeping every scope', async () => {
    const tenant = await new TenantRepository(db).create({ slug: slug(), name: 'Consents' });
    const user = await new UserRepository(db).create({
      email: `${randomUUID()}@example.com`,
      displayName: 'Ada',
      passwordHash: 'x',
    });
    const consent = (scopes: string[]) =>
      withTenant(db, tenant.id, (tx) =>
        new OAuthConsentRepository(tx).remember({
          tenantId: tenant.id,
          userId: user.id,
          clientId: 'https://client.example/metadata.json',
          clientName: 'Client',
          resource: 'https://gatehouse.example/t/x/mcp/y',
          scopes,
        }),
      );
    const results = await Promise.all([
      consent(['mcp:tools']),
      consent(['mcp:tools', 'b']),
      consent(['a', 'mcp:tools']),
      consent(['Z']),
    ]);
    expect(new Set(results.map((row) => row.id)).size).toBe(1);
    const [stored] = await withTenant(db, tenant.id, (tx) =>
      new OAuthConsentRepository(tx).listForUser(tenant.id, user.id),
    );
    expect(stored).toMatchObject({ clientName: 'Client', scopes: ['Z', 'a', 'b', 'mcp:tools'] });
    expect(stored!.createdAt).toBeInstanceOf(Date);
  });
});

describe('seedDemoTenant', () => {
  it('is idempotent', async () => {
    const first = await seedDemoTenant(db);
    const second = await seedDemoTenant(db);
    expect(second).toEqual({ ...first, created: false });
    const tenant = await new TenantRepository(db).findBySlug(DEMO_TENANT.slug);
    expect(tenant?.name).toBe(DEMO_TENANT.name);
    await expect(new MembershipRepository(db).find(first.tenantId, first.adminUserId)).resolves.toMatchObject({
      role: 'owner',
    });
  });
});
