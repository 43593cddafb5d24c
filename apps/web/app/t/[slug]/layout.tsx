import Link from 'next/link';
import type { ReactNode } from 'react';
import { TenantNav } from '@/components/tenant-nav';
import { tenantNav } from '@/lib/nav';
import { tenantContext } from '@/lib/session';

export default async function TenantLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  const { tenant, tenants, isAdmin } = await tenantContext(slug, `/t/${slug}`);
  return (
    <div className="shell">
      <aside className="sidebar">
        <details className="switcher">
          <summary>
            <span className="visually-hidden">Current tenant: </span>
            <strong data-testid="current-tenant">{tenant.name}</strong> <span className="badge">{tenant.role}</span>
          </summary>
          <nav aria-label="Switch tenant">
            <ul>
              {tenants.map((other) => (
                <li key={other.id}>
                  <Link href={`/t/${other.slug}`} aria-current={other.slug === slug ? 'true' : undefined}>
                    {other.name}
                  </Link>
                </li>
              ))}
              <li>
                <Link href="/tenants/new">+ Create a tenant</Link>
              </li>
            </ul>
          </nav>
        </details>
        <TenantNav items={tenantNav(slug, isAdmin)} />
      </aside>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
