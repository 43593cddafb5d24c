import { sessionResponse, tenantList, type SessionResponse } from '@gatehouse/contracts';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import type { z } from 'zod';
import { REQUEST_PATH_HEADER, safeNext } from './paths';
import { apiGet } from './server-api';

export type Tenant = z.infer<typeof tenantList>['tenants'][number];
export type Role = Tenant['role'];

/** The signed-in person, or null; fetched once per request however many components ask. */
export const currentSession = cache(async (): Promise<SessionResponse | null> => {
  const result = await apiGet('/api/v1/auth/session', sessionResponse);
  if (result.ok) return result.data;
  if (result.status === 401) return null;
  throw new Error(result.message);
});

/**
 * The signed-in person; a visitor is sent to sign in and brought back afterwards — to the page asked for, with its
 * query (the path the proxy saw: a layout does not know which page it wraps), else to `next`.
 */
export async function requireSession(next: string): Promise<SessionResponse> {
  const session = await currentSession();
  if (!session) {
    const asked = (await headers()).get(REQUEST_PATH_HEADER) ?? undefined;
    redirect(`/sign-in?next=${encodeURIComponent(asked ? safeNext(asked) : next)}`);
  }
  return session;
}

export const myTenants = cache(async (): Promise<Tenant[]> => {
  const result = await apiGet('/api/v1/tenants', tenantList);
  if (!result.ok) throw new Error(result.message);
  return result.data.tenants;
});

export interface TenantContext {
  session: SessionResponse;
  tenant: Tenant;
  tenants: Tenant[];
  isAdmin: boolean;
}

/** The tenant `slug` as the signed-in person sees it; 404 for someone who is not a member. */
export const tenantContext = cache(async (slug: string, path: string): Promise<TenantContext> => {
  const session = await requireSession(path);
  const tenants = await myTenants();
  const tenant = tenants.find((candidate) => candidate.slug === slug);
  if (!tenant) notFound();
  return { session, tenant, tenants, isAdmin: isAdminRole(tenant.role) };
});

export function isAdminRole(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}
