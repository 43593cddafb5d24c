'use client';

import { LoadError } from '@/components/load-error';

export default function RootError({ reset }: { error: Error; reset: () => void }) {
  return (
    <main id="main" className="narrow">
      <LoadError reset={reset} />
    </main>
  );
}
