import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { safeNext } from '@/lib/paths';
import { currentSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Create your account' };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const next = safeNext((await searchParams).next);
  if (await currentSession()) redirect(next);
  return (
    <main id="main" className="narrow">
      <section className="card" aria-labelledby="auth-title">
        <h1 id="auth-title">Create your account</h1>
        <AuthForm mode="sign-up" next={next} />
      </section>
    </main>
  );
}
