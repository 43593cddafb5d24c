'use client';

import { tenant } from '@gatehouse/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi } from '../lib/browser-api';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

export function AcceptInvitation({ slug, token }: { slug: string; token: string }) {
  const csrf = useCsrf();
  const router = useRouter();
  const { pending, error, run } = useAction();
  const [alreadyMember, setAlreadyMember] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={pending}
        onClick={() =>
          void run(
            async () => {
              const result = await callApi('POST', '/api/v1/invitations/accept', csrf, { tenant: slug, token }, tenant);
              if (!result.ok && result.code === 'already_member') setAlreadyMember(true);
              return result;
            },
            (joined) => router.push(`/t/${joined.slug}`),
          )
        }
      >
        {pending ? 'Joining…' : 'Accept invitation'}
      </button>
      <FormError error={error} />
      {alreadyMember ? (
        <p>
          <Link href={`/t/${slug}`}>Open the tenant</Link>
        </p>
      ) : null}
    </>
  );
}
