'use client';

import type { ReactNode } from 'react';
import type { ApiResult } from '@/lib/problem';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

/**
 * A button that makes one api call: asks `confirm` first when given, is disabled while the call runs, shows the
 * api's error under it and refreshes the page on success (see `useAction`).
 */
export function ActionButton<T>({
  call,
  onSuccess,
  confirm,
  className = 'button danger small',
  label,
  pendingLabel,
  children,
  inlineError = false,
}: {
  /** Gets the session's CSRF token. */
  call: (csrf: string | undefined) => Promise<ApiResult<T>>;
  onSuccess?: (data: T) => void;
  confirm?: string;
  className?: string;
  /** The accessible name when the visible text alone is ambiguous in a table row. */
  label?: string;
  pendingLabel?: string;
  children: ReactNode;
  /** For buttons in a line of text (the top bar): the error stays on that line. */
  inlineError?: boolean;
}) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={pending}
        aria-label={label}
        onClick={() => {
          if (confirm === undefined || window.confirm(confirm)) void run(() => call(csrf), onSuccess);
        }}
      >
        {pending && pendingLabel ? pendingLabel : children}
      </button>
      <FormError error={error} inline={inlineError} />
    </>
  );
}
