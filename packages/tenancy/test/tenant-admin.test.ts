import { randomUUID } from 'node:crypto';
import { AuditLog } from '@gatehouse/audit';
import { randomBytes } from 'node:crypto';
import {
  AuditRepository,
  createDatabase,
  DataKeyRepository,
  SecretRepository,
  UserRepository,
  type Database,
  type DbExecutor,
} from '@gatehouse/db';
import { LocalKeyring, Vault } from '@gatehouse/vault';
import { testAppDatabaseUrl, testDatabaseUrl } from '@gatehouse/testing';
import { API_KEY_SCOPES, TenancyError, TenantAdminService } from '../src/index.js';

let owner: Database;
let app: Database;
let service: TenantAdminService;
let audit: AuditLog<DbExecutor>;

beforeAll(() => {
  owner = createDatabase({ url: testDatabaseUrl(), maxConnections: 2 });
  app = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 6 });
  audit = new AuditLog<DbExecutor>(new AuditRepository(app));
  service = new TenantAdminService(app, audit);
});

afterAll(async () => {
  await Promise.all([owner.$disconnect(), app.$disconnect()]);
});

const user = async (label = 'u') =>
  new UserRepository(app).create({ email: `${label}-${randomUUID().slice(0, 8)}@example.com`, displayName: label });
const slug = () => `t-${randomUUID().slice(0, 8)}`;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TenancyError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('TenantAdminService', () => {
  it('creates a tenant whose creator is its owner, and refuses a taken slug', async () => {
    const alice = await user('alice');
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    await expect(service.tenantsOf(alice.id)).resolves.toEqual([
      { tenantId: tenant.id, slug: tenant.slug, name: 'Acme', role: 'owner' },
    ]);
    expect(await codeOf(service.createTenant(alice.id, { slug: tenant.slug, name: 'Again' }))).toBe('slug_taken');
    await expect(audit.verify(tenant.id)).resolves.toMatchObject({ ok: true, checked: 1 });
  });

  it('hides tenants from non-members', async () => {
    const [alice, mallory] = [await user('alice'), await user('mallory')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    expect(await codeOf(service.actorForUser(tenant.slug, mallory.id))).toBe('not_found');
    expect(await codeOf(service.actorForUser('no-such-tenant', mallory.id))).toBe('not_found');
  });

  it('invites by a single-use link bound to the invited email', async () => {
    const [alice, bob, eve] = [await user('alice'), await user('bob'), await user('eve')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const actor = await service.actorForUser(tenant.slug, alice.id);
    const { token, invitation } = await service.invite(actor, { email: bob.email.toUpperCase(), role: 'admin' });
    expect(invitation.email).toBe(bob.email);
    await expect(service.listInvitations(actor)).resolves.toHaveLength(1);
    expect(await codeOf(service.acceptInvitation(eve.id, tenant.slug, token))).toBe('invitation_invalid');
    await expect(service.acceptInvitation(bob.id, tenant.slug, token)).resolves.toMatchObject({
      slug: tenant.slug,
      role: 'admin',
    });
    expect(await codeOf(service.acceptInvitation(bob.id, tenant.slug, token))).toBe('already_member');
    await expect(service.listInvitations(actor)).resolves.toHaveLength(0);
  });

  it('refuses an expired or revoked invitation', async () => {
    const [alice, bob, carol] = [await user('alice'), await user('bob'), await user('carol')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const actor = await service.actorForUser(tenant.slug, alice.id);
    const expired = await service.invite(actor, { email: bob.email, role: 'member' });
    await owner.$executeRaw`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = ${expired.invitation.id}::uuid`;
    expect(await codeOf(service.acceptInvitation(bob.id, tenant.slug, expired.token))).toBe('invitation_invalid');
    const revoked = await service.invite(actor, { email: carol.email, role: 'member' });
    await service.revokeInvitation(actor, revoked.invitation.id);
    expect(await codeOf(service.acceptInvitation(carol.id, tenant.slug, revoked.token))).toBe('invitation_invalid');
  });

  it("an invitation lapses with its inviter's authority: removed, demoted, or no longer an owner for an owner's", async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const [kept, again, owning, plain] = [
      await user('kept'),
      await user('again'),
      await user('owning'),
      await user('plain'),
    ];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const aliceActor = await service.actorForUser(tenant.slug, alice.id);
    await service.acceptInvitation(
      bob.id,
      tenant.slug,
      (await service.invite(aliceActor, { email: bob.email, role: 'owner' })).token,
    );
    const bobActor = await service.actorForUser(tenant.slug, bob.id);
    // Bob, an owner, invites an admin and an owner, then is made a plain admin: his owner's invitation lapses.
    const admin = await service.invite(bobActor, { email: kept.email, role: 'admin' });
    const ownership = await service.invite(bobActor, { email: owning.email, role: 'owner' });
    await service.changeRole(aliceActor, bob.id, 'admin');
    expect(await codeOf(service.acceptInvitation(owning.id, tenant.slug, ownership.token))).toBe('invitation_invalid');
    await expect(service.acceptInvitation(kept.id, tenant.slug, admin.token)).resolves.toMatchObject({ role: 'admin' });
    // Made a member, he may invite no one: his pending invitation lapses.
    const member = await service.invite(await service.actorForUser(tenant.slug, bob.id), {
      email: plain.email,
      role: 'member',
    });
    await service.changeRole(aliceActor, bob.id, 'member');
    expect(await codeOf(service.acceptInvitation(plain.id, tenant.slug, member.token))).toBe('invitation_invalid');
    // Removed, neither do those he made before.
    await service.changeRole(aliceActor, bob.id, 'admin');
    const later = await service.invite(await service.actorForUser(tenant.slug, bob.id), {
      email: again.email,
      role: 'admin',
    });
    await service.removeMember(aliceActor, bob.id);
    expect(await codeOf(service.acceptInvitation(again.id, tenant.slug, later.token))).toBe('invitation_invalid');
  });

  it('keeps at least one owner, and only owners touch ownership', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const aliceActor = await service.actorForUser(tenant.slug, alice.id);
    const { token } = await service.invite(aliceActor, { email: bob.email, role: 'admin' });
    await service.acceptInvitation(bob.id, tenant.slug, token);
    const bobActor = await service.actorForUser(tenant.slug, bob.id);
    expect(await codeOf(service.changeRole(aliceActor, alice.id, 'member'))).toBe('last_owner');
    expect(await codeOf(service.removeMember(aliceActor, alice.id))).toBe('last_owner');
    expect(await codeOf(service.changeRole(bobActor, bob.id, 'owner'))).toBe('forbidden');
    expect(await codeOf(service.removeMember(bobActor, alice.id))).toBe('forbidden');
    await service.changeRole(aliceActor, bob.id, 'owner');
    await service.changeRole(aliceActor, alice.id, 'member');
    const members = await service.listMembers(aliceActor);
    expect(members.map((m) => [m.email, m.role])).toEqual([
      [alice.email, 'member'],
      [bob.email, 'owner'],
    ]);
    await expect(audit.verify(tenant.id)).resolves.toMatchObject({ ok: true });
  });

  it('an owner demoted while their request was on its way can no longer grant or take away ownership', async () => {
    const [alice, bob, mallory] = [await user('alice'), await user('bob'), await user('mallory')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const aliceActor = await service.actorForUser(tenant.slug, alice.id);
    for (const [who, role] of [
      [bob, 'owner'],
      [mallory, 'member'],
    ] as const) {
      const { token } = await service.invite(aliceActor, { email: who.email, role });
      await service.acceptInvitation(who.id, tenant.slug, token);
    }
    // Bob's request was authorized as an owner's; Alice demotes him before it runs.
    const staleBob = await service.actorForUser(tenant.slug, bob.id);
    await service.changeRole(aliceActor, bob.id, 'admin');
    expect(await codeOf(service.changeRole(staleBob, mallory.id, 'owner'))).toBe('forbidden');
    expect(await codeOf(service.removeMember(staleBob, alice.id))).toBe('forbidden');
    const members = await service.listMembers(aliceActor);
    expect(members.filter((member) => member.role === 'owner').map((member) => member.email)).toEqual([alice.email]);
    // Demoted to member, Bob's stale request cannot change anyone's membership at all any more.
    await service.changeRole(aliceActor, bob.id, 'member');
    expect(await codeOf(service.changeRole(staleBob, mallory.id, 'admin'))).toBe('forbidden');
    expect(await codeOf(service.removeMember(staleBob, mallory.id))).toBe('forbidden');
    expect(await codeOf(service.invite(staleBob, { email: 'late@example.com', role: 'owner' }))).toBe('forbidden');
    expect(await codeOf(service.invite(staleBob, { email: 'late@example.com', role: 'member' }))).toBe('forbidden');
    expect((await service.listMembers(aliceActor)).find((member) => member.email === mallory.email)?.role).toBe(
      'member',
    );
  });

  it('an API key grants no role beyond its own permissions (a members:write key cannot make admins)', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const aliceActor = await service.actorForUser(tenant.slug, alice.id);
    const sync = await service.createApiKey(aliceActor, { name: 'hr-sync', scopes: ['members:read', 'members:write'] });
    const syncActor = await service.actorForApiKey(tenant.slug, sync.key);
    expect(await codeOf(service.invite(syncActor, { email: 'x@attacker.example', role: 'admin' }))).toBe('forbidden');
    const { token } = await service.invite(syncActor, { email: bob.email, role: 'member' });
    await service.acceptInvitation(bob.id, tenant.slug, token);
    expect(await codeOf(service.changeRole(syncActor, bob.id, 'admin'))).toBe('forbidden');
    // A key holding every permission may.
    const full = await service.createApiKey(aliceActor, { name: 'admin-automation', scopes: [...API_KEY_SCOPES] });
    await service.changeRole(await service.actorForApiKey(tenant.slug, full.key), bob.id, 'admin');
    expect((await service.listMembers(aliceActor)).find((member) => member.email === bob.email)?.role).toBe('admin');
  });

  it('issues API keys shown once, stored as hashes, scoped, revocable, with last-used time', async () => {
    const alice = await user('alice');
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Acme' });
    const actor = await service.actorForUser(tenant.slug, alice.id);
    const { key, apiKey } = await service.createApiKey(actor, { name: 'ci', scopes: ['members:read'] });
    expect(key).toMatch(/^ghk_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{43}$/);
    const stored = await owner.$queryRaw<
      { secret_hash: Buffer }[]
    >`SELECT secret_hash FROM api_keys WHERE id = ${apiKey.id}::uuid`;
    expect(Buffer.from(stored[0]!.secret_hash).toString('utf8')).not.toContain(key.split('_').at(-1)!);

    const keyActor = await service.actorForApiKey(tenant.slug, key);
    expect(keyActor).toMatchObject({ tenantId: tenant.id, apiKeyId: apiKey.id, scopes: ['members:read'] });
    await expect(service.listMembers(keyActor)).resolves.toHaveLength(1);
    expect(await codeOf(service.invite(keyActor, { email: 'x@example.com', role: 'member' }))).toBe('forbidden');
    expect((await service.listApiKeys(actor))[0]!.lastUsedAt).toBeInstanceOf(Date);

    const other = await service.createTenant(alice.id, { slug: slug(), name: 'Other' });
    expect(await codeOf(service.actorForApiKey(other.slug, key))).toBe('not_found');
    expect(await codeOf(service.actorForApiKey(tenant.slug, `${key.slice(0, -2)}xx`))).toBe('invalid_api_key');

    await service.revokeApiKey(actor, apiKey.id);
    expect(await codeOf(service.actorForApiKey(tenant.slug, key))).toBe('invalid_api_key');
  });

  it('deletes a tenant for its owner only, crypto-shredding its secrets and keeping its audit chain', async () => {
    const [alice, bob] = [await user('alice'), await user('bob')];
    const tenant = await service.createTenant(alice.id, { slug: slug(), name: 'Doomed' });
    const aliceActor = await service.actorForUser(tenant.slug, alice.id);
    const { token } = await service.invite(aliceActor, { email: bob.email, role: 'admin' });
    await service.acceptInvitation(bob.id, tenant.slug, token);
    const vault = new Vault(
      LocalKeyring.parse(`v1:${randomBytes(32).toString('base64')}`),
      new DataKeyRepository(app),
      new SecretRepository(app),
    );
    await vault.putSecret(
      { tenantId: tenant.id, owner: 'connection:1', purpose: 'oauth.refresh_token' },
      'doomed-secret',
    );

    expect(await codeOf(service.deleteTenant(await service.actorForUser(tenant.slug, bob.id), tenant.slug))).toBe(
      'forbidden',
    );
    expect(await codeOf(service.deleteTenant(aliceActor, 'not-the-slug'))).toBe('confirmation_mismatch');
    await service.deleteTenant(aliceActor, tenant.slug);

    const left = await owner.$queryRaw<{ keys: bigint; secrets: bigint; members: bigint; tenants: bigint }[]>`
      SELECT (SELECT count(*) FROM tenant_data_keys WHERE tenant_id = ${tenant.id}::uuid) AS keys,
             (SELECT count(*) FROM secrets WHERE tenant_id = ${tenant.id}::uuid) AS secrets,
             (SELECT count(*) FROM memberships WHERE tenant_id = ${tenant.id}::uuid) AS members,
             (SELECT count(*) FROM tenants WHERE id = ${tenant.id}::uuid) AS tenants`;
    expect(left[0]).toEqual({ keys: 0n, secrets: 0n, members: 0n, tenants: 0n });
    const report = await audit.verify(tenant.id);
    expect(report).toMatchObject({ ok: true });
    const [last] = (await new AuditRepository(app).list(tenant.id, {}, { limit: 1 })).events;
    expect(last).toMatchObject({ action: 'tenant.deleted', metadata: { dataKeysDestroyed: 1 } });
    expect(await codeOf(service.actorForUser(tenant.slug, alice.id))).toBe('not_found');
  });
});
