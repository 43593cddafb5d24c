import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  createDatabase,
  createScratchDatabase,
  DataKeyRepository,
  SecretRepository,
  TenantRepository,
  type Database,
  type ScratchDatabase,
} from '@gatehouse/db';
import { startProcess, testPostgresServerUrl, testRolePasswords } from '@gatehouse/testing';
import { LocalKeyring, Vault } from '@gatehouse/vault';
import { baseEnv, repoRoot } from './stack.js';

const V1 = `v1:${randomBytes(32).toString('base64')}`;
const V2 = `v2:${randomBytes(32).toString('base64')}`;

/**
 * A database of its own: rotating the KEK rewraps every tenant's data key, which must not touch the keys other test
 * files (and their running processes, on the run's shared keyring) use at the same time.
 */
let scratch: ScratchDatabase;

async function admin(keys: string, ...args: string[]) {
  const child = startProcess(
    'gatehouse-admin',
    process.execPath,
    [join(repoRoot, 'apps/worker/dist/cli.js'), ...args],
    {
      env: baseEnv({
        DATABASE_URL: scratch.appUrl,
        MAINTENANCE_DATABASE_URL: scratch.maintenanceUrl,
        VAULT_KEYS: keys,
      }),
    },
  );
  const { code } = await child.exited;
  const lines = child
    .output()
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines, output: child.output() };
}

describe('gatehouse-admin (vault and audit commands)', () => {
  let owner: Database;
  let app: Database;
  let maintenance: Database;
  let slug: string;
  let tenantId: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(testPostgresServerUrl(), 'e2e_admin_cli', testRolePasswords());
    owner = createDatabase({ url: scratch.url, maxConnections: 1 });
    app = createDatabase({ url: scratch.appUrl, maxConnections: 2 });
    maintenance = createDatabase({ url: scratch.maintenanceUrl, maxConnections: 1 });
    slug = `cli-${randomUUID().slice(0, 8)}`;
    tenantId = (await new TenantRepository(owner).create({ slug, name: 'CLI Co' })).id;
    const vault = new Vault(LocalKeyring.parse(V1), new DataKeyRepository(app, maintenance), new SecretRepository(app));
    await vault.putSecret({ tenantId, owner: 'connection:1', purpose: 'oauth.access_token' }, 'cli-secret');
  });

  afterAll(async () => {
    await Promise.all([owner?.$disconnect(), app?.$disconnect(), maintenance?.$disconnect()]);
    await scratch?.drop();
  });

  const vaultWith = (keys: string) =>
    new Vault(LocalKeyring.parse(keys), new DataKeyRepository(app, maintenance), new SecretRepository(app));

  it('rotates the KEK online, reports progress, and says when the old version can be retired', async () => {
    const before = await admin(`${V1},${V2}`, 'vault', 'status');
    expect(before.code).toBe(0);
    expect(before.lines[0]).toMatchObject({ active: 'v2', retirable: [] });
    expect((before.lines[0]!.inUse as Record<string, number>).v1).toBeGreaterThanOrEqual(1);

    const rotated = await admin(`${V1},${V2}`, 'vault', 'rotate-kek');
    expect(rotated.code).toBe(0);
    expect(rotated.lines.some((line) => 'progress' in line)).toBe(true);
    expect(rotated.lines.at(-1)).toMatchObject({ active: 'v2', retirable: ['v1'] });

    // v1 removed from configuration: the secret still decrypts.
    expect(
      (await vaultWith(V2).getSecret({ tenantId, owner: 'connection:1', purpose: 'oauth.access_token' }))?.toString(),
    ).toBe('cli-secret');
  });

  it('refuses to touch the vault with a key that is not the one the deployment knows under its version', async () => {
    // v2 generated a second time for the admin command's environment: rotating with it would re-wrap every data key
    // under a key no api or worker has.
    const other = `v2:${randomBytes(32).toString('base64')}`;
    for (const command of ['status', 'rotate-kek']) {
      const refused = await admin(`${V1},${other}`, 'vault', command);
      expect(refused.code).toBe(78);
      expect(refused.output).toMatch(
        /gatehouse-admin: invalid configuration: VAULT_KEYS: key-encryption key "v2" is not the key this deployment recorded/,
      );
    }
    expect((await admin(`${V1},${V2}`, 'vault', 'status')).code).toBe(0);
  });

  it('rotates one tenant data key and records it in the audit chain, which verifies', async () => {
    const rotated = await admin(V2, 'vault', 'rotate-dek', slug);
    expect(rotated.code).toBe(0);
    expect(rotated.lines.at(-1)).toEqual({ tenant: slug, dataKeyVersion: 2 });
    expect(
      (await vaultWith(V2).getSecret({ tenantId, owner: 'connection:1', purpose: 'oauth.access_token' }))?.toString(),
    ).toBe('cli-secret');

    const verified = await admin(V2, 'audit', 'verify', slug);
    expect(verified.code).toBe(0);
    expect(verified.lines).toEqual([
      { tenantId, ok: true, checked: 1, head: { seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    ]);
  });

  it('with a checkpoint kept outside, catches the newest events removed and the head rewound by a database owner', async () => {
    const first = (await admin(V2, 'audit', 'verify', slug)).lines[0]!.head as { seq: number; hash: string };
    expect((await admin(V2, 'vault', 'rotate-dek', slug)).code).toBe(0); // a second event
    const second = (await admin(V2, 'audit', 'verify', slug)).lines[0]!.head as { seq: number; hash: string };
    expect(second.seq).toBe(2);
    const against = (checkpoint: { seq: number; hash: string }) =>
      admin(V2, 'audit', 'verify', slug, '--checkpoint', `${checkpoint.seq}:${checkpoint.hash}`);
    expect((await against(first)).code).toBe(0);

    // Someone who may write to the database removes event 2 and sets the head back: the chain alone looks whole.
    await owner.$executeRaw`DELETE FROM audit_events WHERE tenant_id = ${tenantId}::uuid AND seq = 2`;
    await owner.$executeRaw`UPDATE audit_chain_heads SET last_seq = 1, last_hash = ${Buffer.from(first.hash, 'hex')}
      WHERE tenant_id = ${tenantId}::uuid`;
    expect((await admin(V2, 'audit', 'verify', slug)).code).toBe(0);
    const caught = await against(second);
    expect(caught.code).toBe(2);
    expect(caught.lines).toEqual([
      { tenantId, ok: false, checked: 1, firstBroken: { seq: 2, reason: 'checkpoint_missing' } },
    ]);
    const malformed = await admin(V2, 'audit', 'verify', slug, '--checkpoint', 'yesterday');
    expect(malformed.code).toBe(1);
    expect(malformed.output).toContain('expected --checkpoint <seq>:<hash>');
    expect((await admin(V2, 'audit', 'verify', '--checkpoint', 'x')).output).toContain('name the chain first');
    // A chain named by its id (as reports name it: the platform's, a deleted tenant's) or as `platform`.
    const platform = await admin(V2, 'audit', 'verify', 'platform');
    expect(platform.code).toBe(0);
    expect(platform.lines[0]).toMatchObject({ tenantId: '00000000-0000-0000-0000-000000000000', ok: true });
    expect((await admin(V2, 'audit', 'verify', tenantId)).lines[0]).toMatchObject({ tenantId, ok: true, checked: 1 });
  });

  it('exits non-zero and names the first broken link when the chain was edited', async () => {
    await owner.$executeRaw`UPDATE audit_events SET action = 'vault.nothing_happened' WHERE tenant_id = ${tenantId}::uuid AND seq = 1`;
    const verified = await admin(V2, 'audit', 'verify', slug);
    expect(verified.code).toBe(2);
    expect(verified.lines).toEqual([
      { tenantId, ok: false, checked: 0, firstBroken: { seq: 1, reason: 'hash_mismatch' } },
    ]);
  });

  it("verifies every chain, including a deleted tenant's, when no tenant is named", async () => {
    const gone = (await new TenantRepository(owner).create({ slug: `gone-${randomUUID().slice(0, 8)}`, name: 'Gone' }))
      .id;
    await owner.$executeRaw`INSERT INTO audit_chain_heads (tenant_id, last_seq, last_hash) VALUES (${gone}::uuid, 0, ${Buffer.alloc(32)})`;
    await owner.$executeRaw`DELETE FROM tenants WHERE id = ${gone}::uuid`;
    const all = await admin(V2, 'audit', 'verify');
    expect(all.lines.map((line) => line.tenantId)).toEqual(expect.arrayContaining([gone, tenantId]));
  });

  it('explains usage and unknown tenants', async () => {
    expect((await admin(V2)).code).toBe(64);
    const unknown = await admin(V2, 'vault', 'rotate-dek', 'no-such-tenant');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('no tenant with slug "no-such-tenant"');
  });
});
