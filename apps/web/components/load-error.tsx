'use client';

/**
 * What a page shows when rendering it threw (an api answer it could not use). `retry` asks the server for the page
 * again (Next's `reset` alone would only render the same failed answer once more).
 */
export function LoadError({ retry }: { retry: () => void }) {
  return (
    <section className="card" aria-labelledby="error-title">
      <h1 id="error-title">This page could not be loaded</h1>
      <p role="alert" className="error">
        The Gatehouse API did not answer as expected. It may be restarting; try again in a moment.
      </p>
      <button type="button" className="button" onClick={retry}>
        Try again
      </button>
    </section>
  );
}
