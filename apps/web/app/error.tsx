'use client';

import { LoadError } from '@/components/load-error';

export default function RootError({ retry }: { error: Error; retry: () => void }) {
  return (
    <main id="main" className="narrow">
      <LoadError retry={retry} />
    </main>
  );
}
