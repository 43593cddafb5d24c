'use client';

import { callApi } from '@/lib/browser-api';
import { ActionButton } from './action-button';

export function RevokeConsent({ slug, id, client }: { slug: string; id: string; client: string }) {
  return (
    <ActionButton
      label={`Revoke access of ${client}`}
      confirm={`Revoke ${client}? It must ask for your consent again to call tools.`}
      call={(csrf) => callApi('DELETE', `/api/v1/tenants/${slug}/oauth-consents/${id}`, csrf)}
    >
      Revoke
    </ActionButton>
  );
}
