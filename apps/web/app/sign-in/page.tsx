import type { Metadata } from 'next';
import { AuthPage } from '@/components/auth-page';
import type { SearchParams } from '@/lib/paths';

const title = 'Sign in';
export const metadata: Metadata = { title };

export default function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  return <AuthPage mode="sign-in" title={title} searchParams={searchParams} />;
}
