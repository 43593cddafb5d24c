'use client';

import { tenant } from '@gatehouse/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi } from '../lib/browser-api';
import { ActionButton } from './action-button';

export function AcceptInvitation({ slug, token }: { slug: string; token: string }) {
  const router = useRouter();
  const [alreadyMember, setAlreadyMember] = useState(false);
  return (
    <>
      <ActionButton
        className="button"
        pendingLabel="Joining…"
        call={async (csrf) => {
          const result = await callApi('POST', '/api/v1/invitations/accept', csrf, { tenant: slug, token }, tenant);
          if (!result.ok && result.code === 'already_member') setAlreadyMember(true);
          return result;
        }}
        onSuccess={(joined) => router.push(`/t/${joined.slug}`)}
      >
        Accept invitation
      </ActionButton>
      {alreadyMember ? (
        <p>
          <Link href={`/t/${slug}`}>Open the tenant</Link>
        </p>
      ) : null}
    </>
  );
}
