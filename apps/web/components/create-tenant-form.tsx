'use client';

import { tenant } from '@gatehouse/contracts';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi } from '../lib/browser-api';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';

/** Derives a slug suggestion from the name; the api decides whether it is valid and free. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export function CreateTenantForm() {
  const csrf = useCsrf();
  const router = useRouter();
  const { pending, error, run } = useAction();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run(
      () => callApi('POST', '/api/v1/tenants', csrf, { slug, name }, tenant),
      (created) => router.push(`/t/${created.slug}`),
    );
  }

  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor="tenant-name">Organisation name</label>
        <input
          id="tenant-name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            if (!slugEdited) setSlug(slugOf(event.target.value));
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="tenant-slug">Address (slug)</label>
        <input
          id="tenant-slug"
          required
          maxLength={63}
          pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
          aria-describedby="slug-hint"
          value={slug}
          onChange={(event) => {
            setSlug(event.target.value);
            setSlugEdited(true);
          }}
        />
        <p className="hint" id="slug-hint">
          Lowercase letters, digits and dashes. It appears in MCP endpoint URLs and cannot change later.
        </p>
      </div>
      <FormError error={error} />
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Creating…' : 'Create tenant'}
      </button>
    </form>
  );
}
