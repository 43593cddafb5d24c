'use client';

import { providerApp, type ProviderCatalog } from '@gatehouse/contracts';
import { Fragment, useState, type FormEvent } from 'react';
import { callApi } from '@/lib/browser-api';
import { ActionButton } from './action-button';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

type CatalogEntry = ProviderCatalog['providers'][number];

export interface ExistingApp {
  providerId: string;
  clientId: string;
  allowedScopes: string[];
  settings: Record<string, string>;
}

/**
 * Creates or replaces the tenant's OAuth app for one provider. The secret is write-only: leave it empty to keep
 * the stored one. Scopes are a space-separated list, as providers document them.
 */
export function ProviderAppForm({
  slug,
  providers,
  existing,
  initialProvider,
}: {
  slug: string;
  providers: CatalogEntry[];
  existing: ExistingApp[];
  initialProvider?: string | undefined;
}) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  const [providerId, setProviderId] = useState(initialProvider ?? providers[0]?.id ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const provider = providers.find((candidate) => candidate.id === providerId);
  const current = existing.find((app) => app.providerId === providerId);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!provider) return;
    const data = new FormData(event.currentTarget);
    const text = (name: string) => ((data.get(name) as string | null) ?? '').trim();
    const settings: Record<string, string> = {};
    for (const setting of provider.settings) {
      const value = text(`setting-${setting.name}`);
      if (value) settings[setting.name] = value;
    }
    const secret = (data.get('clientSecret') as string | null) ?? '';
    const body = {
      clientId: text('clientId'),
      ...(secret ? { clientSecret: secret } : {}),
      allowedScopes: text('allowedScopes').split(/\s+/).filter(Boolean),
      settings,
    };
    setSaved(null);
    const secretField = event.currentTarget.elements.namedItem('clientSecret') as HTMLInputElement | null;
    void run(
      () => callApi('PUT', `/api/v1/tenants/${slug}/provider-apps/${provider.id}`, csrf, body, providerApp),
      (app) => {
        // Stored: the secret leaves the page (it is never shown again, and must not be sent again by accident).
        if (secretField) secretField.value = '';
        setSaved(`${app.providerName} is configured.`);
      },
    );
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Configure a provider app">
      <div className="field">
        <label htmlFor="provider">Provider</label>
        <select id="provider" value={providerId} onChange={(event) => setProviderId(event.target.value)}>
          {providers.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
              {existing.some((app) => app.providerId === candidate.id) ? ' (configured)' : ''}
            </option>
          ))}
        </select>
        {provider ? (
          <p className="hint">
            Create an OAuth app in the provider’s developer settings (
            <a href={provider.docsUrl} rel="noreferrer" target="_blank">
              documentation
            </a>
            ).
          </p>
        ) : null}
      </div>
      {/* Keyed by provider so switching providers resets the fields to that provider's stored values — not the
          select itself, which would lose keyboard focus at every step through the list. */}
      <Fragment key={providerId}>
        <div className="field">
          <label htmlFor="clientId">Client ID</label>
          <input
            id="clientId"
            name="clientId"
            required
            maxLength={500}
            autoComplete="off"
            defaultValue={current?.clientId ?? ''}
          />
        </div>
        <div className="field">
          <label htmlFor="clientSecret">Client secret</label>
          <input
            id="clientSecret"
            name="clientSecret"
            type="password"
            // Not a sign-in form: a browser must not fill in the admin's own saved password here.
            autoComplete="new-password"
            maxLength={2000}
            required={!current}
            aria-describedby="secret-hint"
          />
          <p className="hint" id="secret-hint">
            {current
              ? 'Stored encrypted and never shown again. Leave empty to keep the stored secret.'
              : 'Stored encrypted and never shown again.'}
          </p>
        </div>
        <div className="field">
          <label htmlFor="allowedScopes">Allowed scopes</label>
          <input
            id="allowedScopes"
            name="allowedScopes"
            aria-describedby="scopes-hint"
            defaultValue={(current?.allowedScopes ?? provider?.defaultScopes ?? []).join(' ')}
          />
          <p className="hint" id="scopes-hint">
            Separated by spaces. Members can grant tools only these scopes.
          </p>
        </div>
        {provider?.settings.map((setting) => (
          <div className="field" key={setting.name}>
            <label htmlFor={`setting-${setting.name}`}>{setting.name}</label>
            <input
              id={`setting-${setting.name}`}
              name={`setting-${setting.name}`}
              aria-describedby={`setting-${setting.name}-hint`}
              defaultValue={current?.settings[setting.name] ?? setting.default ?? ''}
            />
            <p className="hint" id={`setting-${setting.name}-hint`}>
              {setting.description}
            </p>
          </div>
        ))}
      </Fragment>
      <FormError error={error} />
      {saved ? (
        <p role="status" className="badge good">
          {saved}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending || !provider}>
        {pending ? 'Saving…' : current ? 'Save changes' : 'Configure'}
      </button>
    </form>
  );
}

export function DeleteProviderApp({ slug, providerId, name }: { slug: string; providerId: string; name: string }) {
  return (
    <ActionButton
      label={`Remove the ${name} app`}
      confirm={`Remove the ${name} app? Every member's ${name} connection in this tenant goes too.`}
      call={(csrf) => callApi('DELETE', `/api/v1/tenants/${slug}/provider-apps/${providerId}`, csrf)}
    >
      Remove
    </ActionButton>
  );
}
