import Link from 'next/link';

export default function NotFound() {
  return (
    <main id="main" className="narrow">
      <section className="card" aria-labelledby="not-found-title">
        <h1 id="not-found-title">Not found</h1>
        <p>This page does not exist, or you are not a member of the tenant it belongs to.</p>
        <p>
          <Link href="/">Back to your tenants</Link>
        </p>
      </section>
    </main>
  );
}
