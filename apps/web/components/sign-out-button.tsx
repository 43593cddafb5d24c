'use client';

import { useRouter } from 'next/navigation';
import { callApi } from '../lib/browser-api';
import { useCsrf } from './csrf';
import { useAction } from './use-action';

export function SignOutButton() {
  const csrf = useCsrf();
  const router = useRouter();
  const { pending, error, run } = useAction();
  return (
    <>
      <button
        type="button"
        className="button ghost"
        disabled={pending}
        onClick={() =>
          void run(
            () => callApi('POST', '/api/v1/auth/sign-out', csrf),
            () => router.push('/sign-in'),
          )
        }
      >
        Sign out
      </button>
      {error ? (
        <span role="alert" className="error">
          {error}
        </span>
      ) : null}
    </>
  );
}
