import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { safeNext } from '@/lib/paths';
import { currentSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const next = safeNext((await searchParams).next);
  if (await currentSession()) redirect(next);
  return (
    <main id="main" className="narrow">
      <section className="card" aria-labelledby="auth-title">
        <h1 id="auth-title">Sign in</h1>
        <AuthForm mode="sign-in" next={next} />
      </section>
    </main>
  );
}
