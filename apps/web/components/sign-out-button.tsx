'use client';

import { useRouter } from 'next/navigation';
import { callApi } from '../lib/browser-api';
import { ActionButton } from './action-button';

export function SignOutButton() {
  const router = useRouter();
  return (
    <ActionButton
      className="button ghost"
      inlineError
      call={(csrf) => callApi('POST', '/api/v1/auth/sign-out', csrf)}
      onSuccess={() => router.push('/sign-in')}
    >
      Sign out
    </ActionButton>
  );
}
