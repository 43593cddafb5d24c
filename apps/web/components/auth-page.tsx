import { redirect } from 'next/navigation';
import { safeNext, type SearchParams } from '@/lib/paths';
import { currentSession } from '@/lib/session';
import { AuthForm } from './auth-form';

/** The sign-in and sign-up pages: someone already signed in goes straight on to `next`. */
export async function AuthPage({
  mode,
  title,
  searchParams,
}: {
  mode: 'sign-in' | 'sign-up';
  title: string;
  searchParams: SearchParams;
}) {
  const next = safeNext((await searchParams).next);
  if (await currentSession()) redirect(next);
  return (
    <main id="main" className="narrow">
      <section className="card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        <AuthForm mode={mode} next={next} />
      </section>
    </main>
  );
}
