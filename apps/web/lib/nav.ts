import type { NavItem } from '../components/tenant-nav';

/** Sections of a tenant. Members see only their own: admin sections are not even linked for them. */
export function tenantNav(slug: string, isAdmin: boolean): NavItem[] {
  const base = `/t/${slug}`;
  const everyone = [
    { href: `${base}/connections`, label: 'My connections' },
    { href: `${base}/servers`, label: 'MCP servers' },
    { href: `${base}/clients`, label: 'Authorized clients' },
  ];
  const admins = [
    { href: `${base}/members`, label: 'Members' },
    { href: `${base}/providers`, label: 'Providers' },
    { href: `${base}/api-keys`, label: 'API keys' },
    { href: `${base}/audit`, label: 'Audit' },
    { href: `${base}/usage`, label: 'Usage' },
  ];
  return isAdmin ? [...everyone, ...admins] : everyone;
}
