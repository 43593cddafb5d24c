'use client';

import { LoadError } from '@/components/load-error';

export default function TenantError({ retry }: { error: Error; retry: () => void }) {
  return <LoadError retry={retry} />;
}
