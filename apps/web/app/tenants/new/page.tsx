import type { Metadata } from 'next';
import { CreateTenantForm } from '@/components/create-tenant-form';
import { requireSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Create a tenant' };

export default async function NewTenantPage() {
  await requireSession('/tenants/new');
  return (
    <main id="main" className="narrow">
      <section className="card" aria-labelledby="new-tenant-title">
        <h1 id="new-tenant-title">Create a tenant</h1>
        <p className="muted">A tenant is your organisation: its members, OAuth apps, MCP servers and audit history.</p>
        <CreateTenantForm />
      </section>
    </main>
  );
}
