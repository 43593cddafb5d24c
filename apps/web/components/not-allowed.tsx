import Link from 'next/link';

/** What a member sees on an admin page: the api would refuse the actions anyway, this says so up front. */
export function NotAllowed({ slug, what }: { slug: string; what: string }) {
  return (
    <section className="card" aria-labelledby="not-allowed-title" data-testid="not-allowed">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p>
        {what} is for the tenant’s owners and admins. Your role in <strong>{slug}</strong> is member, so this page is
        not available to you. Ask an owner or admin if you need a change here.
      </p>
      <p>
        <Link href={`/t/${slug}/connections`}>Go to your connections</Link>
      </p>
    </section>
  );
}
