'use client';

import { callApi } from '@/lib/browser-api';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

export function RevokeConsent({ slug, id, client }: { slug: string; id: string; client: string }) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  return (
    <>
      <button
        type="button"
        className="button danger small"
        disabled={pending}
        aria-label={`Revoke access of ${client}`}
        onClick={() => {
          if (window.confirm(`Revoke ${client}? It must ask for your consent again to call tools.`))
            void run(() => callApi('DELETE', `/api/v1/tenants/${slug}/oauth-consents/${id}`, csrf));
        }}
      >
        Revoke
      </button>
      <FormError error={error} />
    </>
  );
}
