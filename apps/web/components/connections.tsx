'use client';

import { disconnectResponse, startConnectionResponse } from '@gatehouse/contracts';
import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/browser-api';
import { ActionButton } from './action-button';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

/**
 * Starts the provider's consent flow for the signed-in person: the api answers the provider's authorization URL,
 * the browser goes there, and the provider's redirect back lands on the api's callback, which returns here.
 */
export function ConnectForm({
  slug,
  providerId,
  providerName,
  allowedScopes,
  grantedScopes,
  reconnect,
}: {
  slug: string;
  providerId: string;
  providerName: string;
  allowedScopes: string[];
  grantedScopes: string[];
  reconnect: boolean;
}) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  const [leaving, setLeaving] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const scopes = new FormData(event.currentTarget).getAll('scope') as string[];
    void run(
      () =>
        callApi(
          'POST',
          `/api/v1/tenants/${slug}/connections/${providerId}/authorize`,
          csrf,
          { scopes, returnTo: `/t/${slug}/connections` },
          startConnectionResponse,
        ),
      (started) => {
        setLeaving(true);
        window.location.assign(started.authorizationUrl);
      },
    );
  }

  const label = reconnect ? `Reconnect ${providerName}` : `Connect ${providerName}`;
  return (
    <form onSubmit={submit} className="form" aria-label={label}>
      {allowedScopes.length > 0 ? (
        <fieldset>
          <legend>Scopes to grant</legend>
          {allowedScopes.map((scope) => (
            <div className="check-row" key={scope}>
              <input type="checkbox" id={`${providerId}-scope-${scope}`} name="scope" value={scope} defaultChecked />
              <label htmlFor={`${providerId}-scope-${scope}`}>
                <code>{scope}</code>
                {grantedScopes.includes(scope) ? <span className="muted"> (granted)</span> : null}
              </label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <FormError error={error} />
      <button type="submit" className="button" disabled={pending || leaving}>
        {leaving ? `Opening ${providerName}…` : label}
      </button>
    </form>
  );
}

export function DisconnectButton({
  slug,
  providerId,
  providerName,
}: {
  slug: string;
  providerId: string;
  providerName: string;
}) {
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <ActionButton
        confirm={`Disconnect ${providerName}? Tools stop acting on your ${providerName} account.`}
        call={(csrf) =>
          callApi('DELETE', `/api/v1/tenants/${slug}/connections/${providerId}`, csrf, undefined, disconnectResponse)
        }
        onSuccess={(answer) =>
          setDone(
            answer.revokedAtProvider
              ? `Disconnected; ${providerName} revoked the access too.`
              : `Disconnected; revoke Gatehouse’s access in your ${providerName} settings as well.`,
          )
        }
      >
        Disconnect
      </ActionButton>
      {done ? <p role="status">{done}</p> : null}
    </>
  );
}
