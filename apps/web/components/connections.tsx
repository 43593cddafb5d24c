'use client';

import { disconnectResponse, startConnectionResponse, type startConnectionRequest } from '@gatehouse/contracts';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { callApi } from '@/lib/browser-api';
import { ActionButton } from './action-button';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

type StartConnectionRequest = z.input<typeof startConnectionRequest>;

/**
 * Starts the provider's consent flow for the signed-in person: the api answers the provider's authorization URL,
 * the browser goes there, and the provider's redirect back lands on the api's callback, which returns to `returnTo`.
 */
function useStartConnection(slug: string, providerId: string) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  const [leaving, setLeaving] = useState(false);
  function start(body: StartConnectionRequest) {
    void run(
      () =>
        callApi(
          'POST',
          `/api/v1/tenants/${slug}/connections/${providerId}/authorize`,
          csrf,
          body,
          startConnectionResponse,
        ),
      (started) => {
        setLeaving(true);
        window.location.assign(started.authorizationUrl);
      },
    );
  }
  return { busy: pending || leaving, leaving, error, start };
}

/** Connect or reconnect from My connections, choosing among the app's allowed scopes. */
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
  const { busy, leaving, error, start } = useStartConnection(slug, providerId);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const scopes = new FormData(event.currentTarget).getAll('scope') as string[];
    start({ scopes, returnTo: `/t/${slug}/connections` });
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
      <button type="submit" className="button" disabled={busy}>
        {leaving ? `Opening ${providerName}…` : label}
      </button>
    </form>
  );
}

/**
 * The console's connect page answer to an MCP client's connect link: starts the flow for the scopes the tool needs,
 * naming the elicitation so the api checks the link is this person's and tells the MCP session when it completes.
 */
export function ConnectRequestButton({
  slug,
  providerId,
  providerName,
  scopes,
  elicitationId,
  reconnect,
}: {
  slug: string;
  providerId: string;
  providerName: string;
  scopes: string[];
  elicitationId: string;
  reconnect: boolean;
}) {
  const { busy, leaving, error, start } = useStartConnection(slug, providerId);
  const returnTo = `/connect/${encodeURIComponent(slug)}/${encodeURIComponent(providerId)}`;
  return (
    <>
      <FormError error={error} />
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={() => start({ scopes, elicitationId, returnTo })}
      >
        {leaving ? `Opening ${providerName}…` : `${reconnect ? 'Reconnect' : 'Connect'} ${providerName}`}
      </button>
    </>
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
  const router = useRouter();
  return (
    <ActionButton
      confirm={`Disconnect ${providerName}? Tools stop acting on your ${providerName} account.`}
      call={(csrf) =>
        callApi('DELETE', `/api/v1/tenants/${slug}/connections/${providerId}`, csrf, undefined, disconnectResponse)
      }
      // The row (and this button) goes with the connection: the page itself says what happened, above the list.
      onSuccess={(answer) =>
        router.replace(
          `/t/${encodeURIComponent(slug)}/connections?${new URLSearchParams({
            disconnected: providerId,
            revoked: answer.revokedAtProvider ? '1' : '0',
          }).toString()}`,
        )
      }
    >
      Disconnect
    </ActionButton>
  );
}
