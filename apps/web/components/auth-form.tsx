'use client';

import { sessionResponse } from '@gatehouse/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi } from '../lib/browser-api';
import type { ApiResult } from '../lib/problem';
import { FormError } from './form-error';

/** Sign in or sign up; on success the session cookie is set (through the console's origin) and `next` opens. */
export function AuthForm({ mode, next }: { mode: 'sign-in' | 'sign-up'; next: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signUp = mode === 'sign-up';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => (form.get(name) as string | null) ?? '';
    setPending(true);
    setError(null);
    const body = signUp
      ? { email: field('email'), password: field('password'), displayName: field('displayName') }
      : { email: field('email'), password: field('password') };
    const result: ApiResult<unknown> = await callApi('POST', `/api/v1/auth/${mode}`, undefined, body, sessionResponse);
    setPending(false);
    if (!result.ok) {
      setError(result.status === 401 ? 'That email and password do not match an account.' : result.message);
      return;
    }
    router.push(next);
    router.refresh();
  }

  const query = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
  return (
    <form className="form" onSubmit={(event) => void submit(event)} aria-describedby="auth-error">
      {signUp ? (
        <div className="field">
          <label htmlFor="displayName">Your name</label>
          <input id="displayName" name="displayName" autoComplete="name" required maxLength={200} />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="email" required maxLength={320} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={signUp ? 'new-password' : 'current-password'}
          required
          minLength={signUp ? 12 : 1}
          maxLength={256}
          aria-describedby={signUp ? 'password-hint' : undefined}
        />
        {signUp ? (
          <p className="hint" id="password-hint">
            At least 12 characters. A few unrelated words make a good one.
          </p>
        ) : null}
      </div>
      <FormError error={error} id="auth-error" />
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Please wait…' : signUp ? 'Create account' : 'Sign in'}
      </button>
      <p className="muted">
        {signUp ? (
          <>
            Already have an account? <Link href={`/sign-in${query}`}>Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href={`/sign-up${query}`}>Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}
