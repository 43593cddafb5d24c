import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createDatabase,
  DataKeyRepository,
  KeyCheckRepository,
  SecretRepository,
  TenantRepository,
  type Database,
} from '@gatehouse/db';
import { testAppDatabaseUrl, testDatabaseUrl, testMaintenanceDatabaseUrl } from '@gatehouse/testing';
import {
  LocalKeyring,
  Vault,
  VaultError,
  verifyKeyring,
  type KeyEncryptionKeyProvider,
  type WrappedKey,
} from '../src/index.js';

// The vault against real PostgreSQL through the app role (row-level security on) and the maintenance role.

const key = () => randomBytes(32).toString('base64');
const V1 = key();
const V2 = key();

/** A real keyring that counts how often the key-encryption key is consulted. */
class CountingKeyring implements KeyEncryptionKeyProvider {
  unwraps = 0;
  constructor(private readonly inner: LocalKeyring) {}
  get activeVersion() {
    return this.inner.activeVersion;
  }
  versions() {
    return this.inner.versions();
  }
  wrap(dataKey: Buffer, tenantId: string) {
    return this.inner.wrap(dataKey, tenantId);
  }
  unwrap(wrapped: WrappedKey, tenantId: string) {
    this.unwraps += 1;
    return this.inner.unwrap(wrapped, tenantId);
  }
  checkValue(version: string) {
    return this.inner.checkValue(version);
  }
  matchesCheck(version: string, check: Buffer) {
    return this.inner.matchesCheck(version, check);
  }
}

let owner: Database;
let app: Database;
let maintenance: Database;

function vaultWith(keys: string, options: ConstructorParameters<typeof Vault>[3] = {}) {
  return new Vault(
    LocalKeyring.parse(keys),
    new DataKeyRepository(app, maintenance),
    new SecretRepository(app),
    options,
  );
}

async function newTenant(): Promise<string> {
  return (await new TenantRepository(owner).create({ slug: `v-${randomUUID().slice(0, 12)}`, name: 'Vault Co' })).id;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VaultError) return error.code;
    throw error;
  }
  return 'no error';
}

beforeAll(() => {
  owner = createDatabase({ url: testDatabaseUrl(), maxConnections: 2 });
  app = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 10 });
  maintenance = createDatabase({ url: testMaintenanceDatabaseUrl(), maxConnections: 2 });
});

afterAll(async () => {
  await Promise.all([owner.$disconnect(), app.$disconnect(), maintenance.$disconnect()]);
});

describe('Vault with PostgreSQL', () => {
  it('knows each KEK version by a recorded check value: the same key passes, another key under its name is refused', async () => {
    // Versions of this test's own (the run's processes share the database and record theirs).
    const [a, b] = [`t${randomBytes(4).toString('hex')}`, `t${randomBytes(4).toString('hex')}`];
    const [keyA, keyB] = [key(), key()];
    const checks = new KeyCheckRepository(app);
    expect(await checks.find(a)).toBeNull();
    await verifyKeyring(LocalKeyring.parse(`${a}:${keyA}`), checks);
    const recorded = await checks.find(a);
    expect(recorded).not.toBeNull();
    // The check value holds nothing of the key: it is a constant sealed with it.
    expect(recorded!.includes(Buffer.from(keyA, 'base64'))).toBe(false);
    await verifyKeyring(LocalKeyring.parse(`${a}:${keyA}`), checks);
    // A second version is recorded beside the first.
    await verifyKeyring(LocalKeyring.parse(`${a}:${keyA},${b}:${keyB}`), checks);
    expect(await checks.find(b)).not.toBeNull();
    // The same name, another key (generated twice): refused, naming the version, and nothing recorded over it.
    const refused = await verifyKeyring(LocalKeyring.parse(`${a}:${keyA},${b}:${key()}`), checks).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(VaultError);
    expect((refused as VaultError).code).toBe('key_mismatch');
    expect((refused as VaultError).message).toContain(`"${b}"`);
    expect((refused as VaultError).message).not.toContain(`"${a}"`);
    await verifyKeyring(LocalKeyring.parse(`${b}:${keyB}`), checks);
  });

  it('stores only ciphertext and returns the plaintext to the right context', async () => {
    const tenantId = await newTenant();
    const vault = vaultWith(`v1:${V1}`);
    const context = { tenantId, owner: 'connection:1', purpose: 'oauth.access_token' };
    await vault.putSecret(context, 'gho_plaintext_token');
    expect((await vault.getSecret(context))?.toString()).toBe('gho_plaintext_token');
    const [row] = await owner.$queryRaw<
      { blob: Buffer }[]
    >`SELECT blob FROM secrets WHERE tenant_id = ${tenantId}::uuid`;
    expect(Buffer.from(row!.blob).includes(Buffer.from('gho_plaintext_token'))).toBe(false);
    expect(await vault.getSecret({ ...context, purpose: 'oauth.refresh_token' })).toBeNull();
  });

  it("creates exactly one data key when several processes store a tenant's first secrets at once", async () => {
    const tenantId = await newTenant();
    const processes = Array.from({ length: 4 }, () => vaultWith(`v1:${V1}`));
    await Promise.all(
      processes.map((vault, i) => vault.putSecret({ tenantId, owner: `o${i}`, purpose: 'p' }, `v${i}`)),
    );
    const keys = await owner.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM tenant_data_keys WHERE tenant_id = ${tenantId}::uuid`;
    expect(Number(keys[0]!.n)).toBe(1);
    for (let i = 0; i < 4; i += 1)
      expect((await processes[0]!.getSecret({ tenantId, owner: `o${i}`, purpose: 'p' }))?.toString()).toBe(`v${i}`);
  });

  it('refuses a flipped bit and a ciphertext moved to another row or tenant', async () => {
    const [a, b] = [await newTenant(), await newTenant()];
    const vault = vaultWith(`v1:${V1}`);
    await vault.putSecret({ tenantId: a, owner: 'connection:1', purpose: 'p' }, 'alpha');
    await vault.putSecret({ tenantId: b, owner: 'connection:9', purpose: 'p' }, 'beta');
    // Moved to another row of the same tenant.
    await owner.$executeRaw`INSERT INTO secrets (tenant_id, owner, purpose, blob, dek_version)
      SELECT tenant_id, 'connection:2', purpose, blob, dek_version FROM secrets WHERE tenant_id = ${a}::uuid AND owner = 'connection:1'`;
    expect(await codeOf(vault.getSecret({ tenantId: a, owner: 'connection:2', purpose: 'p' }))).toBe('decrypt_failed');
    // Moved to another tenant.
    await owner.$executeRaw`UPDATE secrets SET blob = (SELECT blob FROM secrets WHERE tenant_id = ${a}::uuid AND owner = 'connection:1')
      WHERE tenant_id = ${b}::uuid`;
    expect(await codeOf(vault.getSecret({ tenantId: b, owner: 'connection:9', purpose: 'p' }))).toBe('decrypt_failed');
    // One flipped bit.
    await owner.$executeRaw`UPDATE secrets SET blob = overlay(blob placing decode(lpad(to_hex(get_byte(blob, 20) # 1), 2, '0'), 'hex') from 21 for 1)
      WHERE tenant_id = ${a}::uuid AND owner = 'connection:1'`;
    expect(await codeOf(vault.getSecret({ tenantId: a, owner: 'connection:1', purpose: 'p' }))).toBe('decrypt_failed');
  });

  it('consults the key-encryption key far less than once per read', async () => {
    const tenantId = await newTenant();
    const keyring = new CountingKeyring(LocalKeyring.parse(`v1:${V1}`));
    const vault = new Vault(keyring, new DataKeyRepository(app, maintenance), new SecretRepository(app));
    const context = { tenantId, owner: 'o', purpose: 'p' };
    await vault.putSecret(context, 'x');
    for (let i = 0; i < 200; i += 1) await vault.getSecret(context);
    expect(keyring.unwraps).toBeLessThanOrEqual(2);
  });

  it('rotates the KEK online: 1,000 concurrent decrypts during rotation, zero errors; then the old version retires', async () => {
    const tenants = await Promise.all(Array.from({ length: 5 }, () => newTenant()));
    const before = vaultWith(`v1:${V1}`);
    const contexts = tenants.flatMap((tenantId) =>
      Array.from({ length: 4 }, (_, i) => ({ tenantId, owner: `o${i}`, purpose: 'p' })),
    );
    for (const context of contexts) await before.putSecret(context, `secret-${context.tenantId}-${context.owner}`);

    // Ciphertexts as a request would have loaded them; the decrypts below exercise the key path (data key lookup,
    // unwrap, cache) while another process re-wraps every data key. A 5 ms cache TTL forces constant re-reads.
    const blobs = await Promise.all(
      contexts.map(async (context) => {
        const [row] = await owner.$queryRaw<{ blob: Buffer }[]>`
          SELECT blob FROM secrets WHERE tenant_id = ${context.tenantId}::uuid AND owner = ${context.owner}`;
        return Buffer.from(row!.blob);
      }),
    );
    const serving = vaultWith(`v1:${V1},v2:${V2}`, { cacheTtlMs: 5 });
    const rotating = vaultWith(`v1:${V1},v2:${V2}`);
    const progress: number[] = [];
    const reads = Array.from({ length: 1000 }, async (_, i) => {
      const context = contexts[i % contexts.length]!;
      const plaintext = await serving.decrypt(context, blobs[i % contexts.length]!);
      return plaintext.toString() === `secret-${context.tenantId}-${context.owner}`;
    });
    const [results] = await Promise.all([
      Promise.allSettled(reads),
      rotating.rotateKek((p) => progress.push(p.remaining), 2),
    ]);
    expect(results.filter((r) => r.status === 'rejected' || r.value !== true)).toHaveLength(0);
    expect(progress.at(-1)).toBe(0);

    const usage = await rotating.kekUsage();
    expect(usage.inUse.v1 ?? 0).toBe(0);
    expect(usage.retirable).toEqual(['v1']);
    // With v1 removed from configuration everything still decrypts.
    const retired = vaultWith(`v2:${V2}`);
    for (const context of contexts)
      expect((await retired.getSecret(context))?.toString()).toBe(`secret-${context.tenantId}-${context.owner}`);
  });

  it('says clearly when a data key is wrapped by a retired KEK version', async () => {
    const tenantId = await newTenant();
    await vaultWith(`old:${key()}`).putSecret({ tenantId, owner: 'o', purpose: 'p' }, 'x');
    const error = await vaultWith(`v2:${V2}`)
      .getSecret({ tenantId, owner: 'o', purpose: 'p' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({
      code: 'unknown_key_version',
      message: 'key-encryption key "old" is not configured (retired?)',
    });
  });

  it("rotates a tenant's data key, re-encrypting its secrets in batches", async () => {
    const tenantId = await newTenant();
    const vault = vaultWith(`v1:${V1}`);
    for (let i = 0; i < 25; i += 1) await vault.putSecret({ tenantId, owner: `o${i}`, purpose: 'p' }, `value-${i}`);
    const batches: number[] = [];
    expect(await vault.rotateDataKey(tenantId, (p) => batches.push(p.remaining), 10)).toBe(2);
    expect(batches).toEqual([15, 5, 0]);
    const versions = await owner.$queryRaw<
      { version: number; state: string }[]
    >`SELECT version, state FROM tenant_data_keys WHERE tenant_id = ${tenantId}::uuid`;
    expect(versions).toEqual([{ version: 2, state: 'active' }]);
    const fresh = vaultWith(`v1:${V1}`);
    for (let i = 0; i < 25; i += 1)
      expect((await fresh.getSecret({ tenantId, owner: `o${i}`, purpose: 'p' }))?.toString()).toBe(`value-${i}`);
  });

  it('two rotations at once never leave a secret sealed under a data key one of them deleted', async () => {
    const tenantId = await newTenant();
    const setup = vaultWith(`v1:${V1}`);
    for (let i = 0; i < 25; i += 1) await setup.putSecret({ tenantId, owner: `o${i}`, purpose: 'p' }, `value-${i}`);
    // Run 1 pauses before its first re-seal; run 2 (started then) makes key 3, deletes key 2 (run 1's), and lets run
    // 1 re-seal its batch before it moves the version-1 secrets itself.
    let atReplace!: () => void;
    let mayReplace!: () => void;
    let batchDone!: () => void;
    const run1AtReplace = new Promise<void>((resolve) => (atReplace = resolve));
    const gate = new Promise<void>((resolve) => (mayReplace = resolve));
    const run1BatchDone = new Promise<void>((resolve) => (batchDone = resolve));
    let replaces = 0;
    class PausingSecrets extends SecretRepository {
      override async replace(...args: Parameters<SecretRepository['replace']>) {
        if (replaces === 0) {
          atReplace();
          await gate;
        }
        const replaced = await super.replace(...args);
        if (++replaces === 10) batchDone();
        return replaced;
      }
    }
    let listed = false;
    class WaitingSecrets extends SecretRepository {
      override async listByDekVersion(...args: Parameters<SecretRepository['listByDekVersion']>) {
        if (args[1] === 1 && !listed) {
          listed = true;
          mayReplace();
          await run1BatchDone;
        }
        return super.listByDekVersion(...args);
      }
    }
    const keyring = LocalKeyring.parse(`v1:${V1}`);
    const first = new Vault(keyring, new DataKeyRepository(app, maintenance), new PausingSecrets(app));
    const second = new Vault(keyring, new DataKeyRepository(app, maintenance), new WaitingSecrets(app));
    const run1 = first.rotateDataKey(tenantId, () => {}, 10);
    run1.catch(() => undefined);
    await run1AtReplace;
    expect(await second.rotateDataKey(tenantId)).toBe(3);
    await expect(run1).rejects.toMatchObject({
      code: 'rotation_superseded',
      message: expect.stringMatching(/another rotation/),
    });
    const fresh = vaultWith(`v1:${V1}`);
    for (let i = 0; i < 25; i += 1)
      expect((await fresh.getSecret({ tenantId, owner: `o${i}`, purpose: 'p' }))?.toString()).toBe(`value-${i}`);
  });

  it('re-seals a write made with a key another process has just rotated away', async () => {
    const tenantId = await newTenant();
    const stale = vaultWith(`v1:${V1}`);
    await stale.putSecret({ tenantId, owner: 'o', purpose: 'p' }, 'first'); // caches data key 1 as active
    await vaultWith(`v1:${V1}`).rotateDataKey(tenantId); // another process: key 2, key 1 deleted
    await stale.putSecret({ tenantId, owner: 'o2', purpose: 'p' }, 'second');
    const fresh = vaultWith(`v1:${V1}`);
    expect((await fresh.getSecret({ tenantId, owner: 'o2', purpose: 'p' }))?.toString()).toBe('second');
  });

  it("stores no connection's tokens or app's client secret whose owner row is gone", async () => {
    const tenantId = await newTenant();
    const vault = vaultWith(`v1:${V1}`);
    for (const owner of [`connection:${randomUUID()}`, `provider_app:${randomUUID()}`])
      await expect(vault.putSecret({ tenantId, owner, purpose: 'p' }, 'orphan')).rejects.toThrow(/no longer exists/);
    expect(await owner.secret.count({ where: { tenantId } })).toBe(0);
  });

  it('crypto-shreds a tenant: once its data keys are destroyed nothing decrypts', async () => {
    const tenantId = await newTenant();
    const vault = vaultWith(`v1:${V1}`);
    await vault.putSecret({ tenantId, owner: 'o', purpose: 'p' }, 'to be shredded');
    expect(await vault.destroyTenantKeys(tenantId)).toBe(1);
    expect(await codeOf(vault.getSecret({ tenantId, owner: 'o', purpose: 'p' }))).toBe('unknown_key_version');
  });

  it('leaves no canary secret in plaintext in a database dump', async () => {
    const tenantId = await newTenant();
    const vault = vaultWith(`v1:${V1}`);
    const canaries = Array.from({ length: 5 }, (_, i) => `canary-${i}-${randomUUID()}`);
    for (const [i, canary] of canaries.entries())
      await vault.putSecret({ tenantId, owner: `o${i}`, purpose: 'p' }, canary);
    const dump = execFileSync('pg_dump', ['--data-only', '--no-owner', testDatabaseUrl()], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString('latin1');
    expect(dump).toContain(tenantId); // the dump is real and includes this tenant's rows
    for (const canary of canaries) expect(dump).not.toContain(canary);
  });
});
