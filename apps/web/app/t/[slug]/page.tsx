import { redirect } from 'next/navigation';
import type { TenantPageProps } from '@/lib/paths';

export default async function TenantHome({ params }: TenantPageProps) {
  const { slug } = await params;
  redirect(`/t/${slug}/connections`);
}
