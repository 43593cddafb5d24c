// Seeds the demo tenant, its owner and — when the local demo provider is configured — the tenant's OAuth app at it.
// Idempotent: run it any number of times. Runs on Node 24's built-in TypeScript support: `node prisma/seed.ts`
// (npm start runs it after migrating).
import { AuditLog } from '@gatehouse/audit';
import { ProviderAppService } from '@gatehouse/connections';
import {
  AuditRepository,
  createDatabase,
  DataKeyRepository,
  DEMO_ADMIN,
  DEMO_TENANT,
  SecretRepository,
  seedDemoTenant,
} from '@gatehouse/db';
import { hashPassword } from '@gatehouse/identity';
import { scopesForRole } from '@gatehouse/tenancy';
import { LocalKeyring, Vault } from '@gatehouse/vault';

/** The client id the demo provider registers for Gatehouse (scripts/start.mjs passes the same one). */
const DEMO_CLIENT_ID = 'gatehouse-demo';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('seed: DATABASE_URL is required but not set\n');
  process.exit(78);
}
const db = createDatabase({ url, maxConnections: 1, applicationName: 'gatehouse-seed' });
try {
  // DEMO_ADMIN_PASSWORD (generated into .env on first run) lets a developer sign in as the demo owner.
  const password = process.env.DEMO_ADMIN_PASSWORD;
  const result = await seedDemoTenant(db, password ? { adminPasswordHash: await hashPassword(password) } : {});
  process.stdout.write(
    `seed: demo tenant "${DEMO_TENANT.slug}" ${result.created ? 'created' : 'already present'} (owner ${DEMO_ADMIN.email})\n`,
  );

  const clientSecret = process.env.DEMO_PROVIDER_CLIENT_SECRET;
  const demoProviderUrl = process.env.DEMO_PROVIDER_URL;
  const vaultKeys = process.env.VAULT_KEYS;
  if (clientSecret && demoProviderUrl && vaultKeys) {
    const vault = new Vault(
      LocalKeyring.parse(vaultKeys, process.env.VAULT_ACTIVE_KEY || undefined),
      new DataKeyRepository(db),
      new SecretRepository(db),
    );
    const apps = new ProviderAppService(db, vault, new AuditLog(new AuditRepository(db)));
    const changed = await apps.ensure(
      {
        tenantId: result.tenantId,
        tenantSlug: DEMO_TENANT.slug,
        userId: result.adminUserId,
        role: 'owner',
        scopes: scopesForRole('owner'),
      },
      'demo',
      {
        clientId: DEMO_CLIENT_ID,
        clientSecret,
        allowedScopes: ['notes:read', 'notes:write'],
        settings: { baseUrl: demoProviderUrl },
      },
    );
    process.stdout.write(`seed: demo provider app ${changed ? 'configured' : 'unchanged'} (${demoProviderUrl})\n`);
  }
} finally {
  await db.$disconnect();
}
