import type { Metadata } from 'next';
import { AuthPage } from '@/components/auth-page';
import type { SearchParams } from '@/lib/paths';

const title = 'Create your account';
export const metadata: Metadata = { title };

export default function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  return <AuthPage mode="sign-up" title={title} searchParams={searchParams} />;
}
