'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiResult } from '../lib/problem';

/**
 * One api action of a form or button: tracks `pending`, keeps the api's plain-language error for an alert, and on
 * success refreshes the server-rendered page so lists show the change.
 */
export function useAction() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run<T>(action: () => Promise<ApiResult<T>>, onSuccess?: (data: T) => void): Promise<boolean> {
    setPending(true);
    setError(null);
    try {
      const result = await action();
      if (!result.ok) {
        setError(result.message);
        return false;
      }
      onSuccess?.(result.data);
      router.refresh();
      return true;
    } finally {
      setPending(false);
    }
  }

  return { pending, error, setError, run };
}
