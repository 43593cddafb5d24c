'use client';

import { LoadError } from '@/components/load-error';

export default function TenantError({ reset }: { error: Error; reset: () => void }) {
  return <LoadError reset={reset} />;
}
