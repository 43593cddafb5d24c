'use client';

import { apiKeyScope, createdApiKey } from '@gatehouse/contracts';
import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/browser-api';
import { ActionButton } from './action-button';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { ShownOnce } from './shown-once';
import { useAction } from './use-action';

export function CreateApiKeyForm({ slug }: { slug: string }) {
  const csrf = useCsrf();
  const { pending, error, setError, run } = useAction();
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const scopes = data.getAll('scope') as string[];
    if (scopes.length === 0) {
      setError('Choose at least one scope.');
      return;
    }
    const expires = (data.get('expires') as string | null) ?? '';
    const body = {
      name: (data.get('name') as string | null) ?? '',
      scopes,
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
    };
    void run(
      () => callApi('POST', `/api/v1/tenants/${slug}/api-keys`, csrf, body, createdApiKey),
      (created) => {
        setSecret({ name: created.apiKey.name, key: created.key });
        form.reset();
      },
    );
  }

  return (
    <>
      <form className="form" onSubmit={submit} aria-label="Create an API key">
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" name="name" required maxLength={100} placeholder="CI deploys" />
        </div>
        <fieldset>
          <legend>Scopes</legend>
          {apiKeyScope.options.map((scope) => (
            <div className="check-row" key={scope}>
              <input type="checkbox" id={`scope-${scope}`} name="scope" value={scope} />
              <label htmlFor={`scope-${scope}`}>
                <code>{scope}</code>
              </label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="key-expires">Expires (optional)</label>
          <input id="key-expires" name="expires" type="date" />
        </div>
        <FormError error={error} />
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {secret ? (
        <ShownOnce value={secret.key} copyLabel="Copy key" testId="api-key-secret">
          The key <strong>{secret.name}</strong> is shown only now. Store it in your secret manager; Gatehouse keeps
          only a hash.
        </ShownOnce>
      ) : null}
    </>
  );
}

export function RevokeApiKey({ slug, id, name }: { slug: string; id: string; name: string }) {
  return (
    <ActionButton
      label={`Revoke the key ${name}`}
      confirm={`Revoke ${name}? Anything using it stops working at once.`}
      call={(csrf) => callApi('DELETE', `/api/v1/tenants/${slug}/api-keys/${id}`, csrf)}
    >
      Revoke
    </ActionButton>
  );
}
