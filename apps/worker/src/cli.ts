// gatehouse-admin: operator commands that need cross-tenant access (key rotation) or a whole-chain walk (audit
// verification). Run from the repository root with `pnpm gatehouse <command>` (reads .env) or, in an image,
// `node dist/cli.js <command>` in the worker image (its working directory is apps/worker).
import { AuditLog, PLATFORM_CHAIN } from '@gatehouse/audit';
import { loadConfigOrExit, vaultCommandConfigSchema } from '@gatehouse/config';
import { AuditRepository, createDatabase, DataKeyRepository, SecretRepository, TenantRepository } from '@gatehouse/db';
import { loadKeyringOrExit, Vault } from '@gatehouse/vault';

const USAGE = `usage: gatehouse-admin <command>
  vault status               KEK versions configured, in use, and safe to retire
  vault rotate-kek           re-wrap every tenant data key with the active KEK version (online)
  vault rotate-dek <tenant>  new data key for one tenant (slug); re-encrypts its secrets in batches
  audit verify [<tenant>]    verify the hash chain of one tenant (slug), or every chain (incl. deleted tenants')`;

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function main(args: string[]): Promise<number> {
  const [area, command, argument] = args;
  if (!area || !command) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const config = loadConfigOrExit(vaultCommandConfigSchema, 'gatehouse-admin');
  const app = createDatabase({ url: config.DATABASE_URL, maxConnections: 4, applicationName: 'gatehouse-admin' });
  const maintenance = createDatabase({
    url: config.MAINTENANCE_DATABASE_URL,
    maxConnections: 2,
    applicationName: 'gatehouse-admin',
  });
  const audit = new AuditLog(new AuditRepository(app));
  const tenants = new TenantRepository(app);
  const system = { type: 'system' as const, id: 'gatehouse-admin' };
  try {
    const vault = () =>
      new Vault(
        loadKeyringOrExit('gatehouse-admin', config.VAULT_KEYS, config.VAULT_ACTIVE_KEY),
        new DataKeyRepository(app, maintenance),
        new SecretRepository(app),
      );
    const tenantId = async (slug: string | undefined) => {
      const tenant = slug ? await tenants.findBySlug(slug) : null;
      if (!tenant) throw new Error(slug ? `no tenant with slug "${slug}"` : 'name a tenant slug');
      return tenant.id;
    };

    if (area === 'vault' && command === 'status') {
      print(await vault().kekUsage());
      return 0;
    }
    if (area === 'vault' && command === 'rotate-kek') {
      const v = vault();
      const result = await v.rotateKek((progress) => print({ progress }));
      const usage = await v.kekUsage();
      await audit.record({
        tenantId: PLATFORM_CHAIN,
        actor: system,
        action: 'vault.kek_rotated',
        outcome: 'success',
        metadata: { ...result, active: usage.active },
      });
      print({ rotated: result.done, ...usage });
      return 0;
    }
    if (area === 'vault' && command === 'rotate-dek') {
      const id = await tenantId(argument);
      const version = await vault().rotateDataKey(id, (progress) => print({ progress }));
      await audit.record({
        tenantId: id,
        actor: system,
        action: 'vault.dek_rotated',
        target: { type: 'tenant', id },
        outcome: 'success',
        metadata: { version },
      });
      print({ tenant: argument, dataKeyVersion: version });
      return 0;
    }
    if (area === 'audit' && command === 'verify') {
      // Every chain that has events — the platform's, each tenant's, and those of deleted tenants (kept on purpose).
      const ids = argument
        ? [await tenantId(argument)]
        : [
            ...new Set([
              PLATFORM_CHAIN,
              ...(await AuditRepository.chainIds(maintenance)),
              ...(await tenants.listIds()),
            ]),
          ];
      let broken = 0;
      for (const id of ids) {
        const report = await audit.verify(id);
        if (!report.ok) broken += 1;
        print(report);
      }
      return broken === 0 ? 0 : 2;
    }
    process.stderr.write(`${USAGE}\n`);
    return 64;
  } catch (error) {
    process.stderr.write(`gatehouse-admin: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await Promise.all([app.$disconnect(), maintenance.$disconnect()]);
  }
}

process.exitCode = await main(process.argv.slice(2));
