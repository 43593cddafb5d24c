import type { Metadata } from 'next';
import Link from 'next/link';
import { AcceptInvitation } from '@/components/accept-invitation';
import { currentSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Invitation' };

export default async function InvitationPage({ params }: { params: Promise<{ slug: string; token: string }> }) {
  const { slug, token } = await params;
  const session = await currentSession();
  const here = `/invitations/${encodeURIComponent(slug)}/${encodeURIComponent(token)}`;
  return (
    <main id="main" className="narrow">
      <section className="card" aria-labelledby="invitation-title">
        <h1 id="invitation-title">
          Join <code>{slug}</code>
        </h1>
        {session ? (
          <>
            <p>
              You were invited to the tenant <strong>{slug}</strong>. You are signed in as{' '}
              <strong>{session.user.email}</strong>; the invitation must be for this address.
            </p>
            <AcceptInvitation slug={slug} token={token} />
          </>
        ) : (
          <>
            <p>
              You were invited to the tenant <strong>{slug}</strong>. Sign in, or create an account with the email
              address the invitation was sent to, then accept it here.
            </p>
            <p className="actions">
              <Link className="button" href={`/sign-up?next=${encodeURIComponent(here)}`}>
                Create an account
              </Link>
              <Link className="button ghost" href={`/sign-in?next=${encodeURIComponent(here)}`}>
                Sign in
              </Link>
            </p>
          </>
        )}
      </section>
    </main>
  );
}
