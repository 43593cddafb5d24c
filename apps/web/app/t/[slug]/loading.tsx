export default function Loading() {
  return (
    <section className="card" aria-busy="true" aria-live="polite">
      <p className="muted">Loading…</p>
      <div className="skeleton" />
      <div className="skeleton short" />
    </section>
  );
}
