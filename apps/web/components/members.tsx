'use client';

import { createdInvitation } from '@gatehouse/contracts';
import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/browser-api';
import type { Role } from '@/lib/session';
import { ActionButton } from './action-button';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { ShownOnce } from './shown-once';
import { useAction } from './use-action';

const ROLES: Role[] = ['member', 'admin', 'owner'];

export function InviteForm({ slug, canInviteOwner }: { slug: string; canInviteOwner: boolean }) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = (data.get('email') as string | null) ?? '';
    const role = (data.get('role') as string | null) ?? 'member';
    void run(
      () => callApi('POST', `/api/v1/tenants/${slug}/invitations`, csrf, { email, role }, createdInvitation),
      (created) => {
        setLink({ email: created.invitation.email, url: created.acceptUrl });
        form.reset();
      },
    );
  }

  return (
    <>
      <form className="form inline" onSubmit={submit} aria-label="Invite a member">
        <div className="field">
          <label htmlFor="invite-email">Email</label>
          <input id="invite-email" name="email" type="email" required maxLength={320} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" name="role" defaultValue="member">
            {ROLES.filter((role) => role !== 'owner' || canInviteOwner).map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Inviting…' : 'Invite'}
        </button>
      </form>
      <FormError error={error} />
      {link ? (
        <ShownOnce value={link.url} copyLabel="Copy link" testId="invitation-link">
          Send this link to <strong>{link.email}</strong>. It is shown only now; they open it, sign in with that address
          and accept.
        </ShownOnce>
      ) : null}
    </>
  );
}

export function MemberActions({
  slug,
  userId,
  email,
  role,
  canManageOwners,
}: {
  slug: string;
  userId: string;
  email: string;
  role: Role;
  canManageOwners: boolean;
}) {
  const csrf = useCsrf();
  const { pending, error, run } = useAction();
  const [next, setNext] = useState<Role>(role);
  const choices = ROLES.filter((candidate) => candidate !== 'owner' || canManageOwners || role === 'owner');

  function change(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run(() => callApi('PATCH', `/api/v1/tenants/${slug}/members/${userId}`, csrf, { role: next }));
  }
  function remove() {
    if (!window.confirm(`Remove ${email} from this tenant? Their connections here stop working.`)) return;
    void run(() => callApi('DELETE', `/api/v1/tenants/${slug}/members/${userId}`, csrf));
  }

  return (
    <>
      <form className="actions" onSubmit={change}>
        <label className="visually-hidden" htmlFor={`role-${userId}`}>
          Role of {email}
        </label>
        <select
          id={`role-${userId}`}
          value={next}
          onChange={(event) => setNext(event.target.value as Role)}
          disabled={pending}
        >
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
        <button type="submit" className="button ghost small" disabled={pending || next === role}>
          Change role
        </button>
        <button type="button" className="button danger small" disabled={pending} onClick={remove}>
          Remove
        </button>
      </form>
      <FormError error={error} />
    </>
  );
}

export function RevokeInvitation({ slug, id, email }: { slug: string; id: string; email: string }) {
  return (
    <ActionButton
      label={`Revoke the invitation for ${email}`}
      call={(csrf) => callApi('DELETE', `/api/v1/tenants/${slug}/invitations/${id}`, csrf)}
    >
      Revoke
    </ActionButton>
  );
}
