import type { Database } from './client.js';
import { withScope } from './scope.js';
import { MembershipRepository } from './repositories/membership.repository.js';
import { TenantRepository } from './repositories/tenant.repository.js';
import { UserRepository } from './repositories/user.repository.js';

export const DEMO_TENANT = { slug: 'demo', name: 'Demo Organisation' } as const;
export const DEMO_ADMIN = { email: 'admin@demo.gatehouse.local', displayName: 'Demo Admin' } as const;

export interface SeedResult {
  tenantId: string;
  adminUserId: string;
  created: boolean;
}

/**
 * Idempotent: creates the demo tenant and its owner once; later runs change nothing. With `adminPasswordHash`
 * the owner gets that password if it has none yet, so a developer can sign in to the console.
 */
export async function seedDemoTenant(db: Database, options: { adminPasswordHash?: string } = {}): Promise<SeedResult> {
  const tenants = new TenantRepository(db);
  const users = new UserRepository(db);
  const existing = await tenants.findBySlug(DEMO_TENANT.slug);
  const tenant = existing ?? (await tenants.create(DEMO_TENANT));
  const admin = (await users.findByEmail(DEMO_ADMIN.email)) ?? (await users.create(DEMO_ADMIN));
  if (options.adminPasswordHash) await users.setPasswordHashIfMissing(admin.id, options.adminPasswordHash);
  // Memberships are tenant-owned: written inside the tenant's row-level security scope.
  await withScope(db, { tenantId: tenant.id }, async (tx) => {
    const memberships = new MembershipRepository(tx);
    if (!(await memberships.find(tenant.id, admin.id))) {
      await memberships.add({ tenantId: tenant.id, userId: admin.id, role: 'owner' });
    }
  });
  return { tenantId: tenant.id, adminUserId: admin.id, created: existing === null };
}
