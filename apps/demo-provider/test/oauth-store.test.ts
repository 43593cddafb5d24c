import { OAuthStore } from '../src/oauth/oauth.store.js';
import { pkcePair } from './harness.js';

// Unit tests for what needs a clock: the 60-second code lifetime and the pending-request lifetime.
describe('OAuthStore lifetimes', () => {
  let now = 1_000_000;
  const store = new OAuthStore({ accessTokenSeconds: 5, refreshTokenSeconds: 60 }, () => now);

  function codeFor(challenge: string): string {
    const pending = store.startAuthorization({
      clientId: 'c',
      redirectUri: 'http://h/cb',
      scopes: ['notes:read'],
      state: undefined,
      codeChallenge: challenge,
    });
    return store.issueCode(pending, 'u_1', ['notes:read']);
  }

  it('honours an authorization code for 60 seconds, not one millisecond longer', () => {
    const early = pkcePair();
    const late = pkcePair();
    const earlyCode = codeFor(early.challenge);
    const lateCode = codeFor(late.challenge);
    now += 59_999;
    const request = { clientId: 'c', redirectUri: 'http://h/cb' };
    expect(store.exchangeCode({ ...request, code: earlyCode, codeVerifier: early.verifier }).ok).toBe(true);
    now += 1;
    expect(store.exchangeCode({ ...request, code: lateCode, codeVerifier: late.verifier })).toEqual({
      ok: false,
      error: 'invalid_grant',
      description: 'authorization code expired',
    });
  });

  it('forgets a pending approval after ten minutes', () => {
    const pending = store.startAuthorization({
      clientId: 'c',
      redirectUri: 'http://h/cb',
      scopes: ['notes:read'],
      state: 's',
      codeChallenge: pkcePair().challenge,
    });
    now += 599_999;
    expect(store.findAuthorization(pending.id)).toBe(pending);
    now += 1;
    expect(store.findAuthorization(pending.id)).toBeUndefined();
  });

  it('sweeps expired records but keeps spent refresh tokens until they expire (reuse detection needs them)', () => {
    const { challenge, verifier } = pkcePair();
    const outcome = store.exchangeCode({
      clientId: 'c',
      redirectUri: 'http://h/cb',
      code: codeFor(challenge),
      codeVerifier: verifier,
    });
    if (!outcome.ok) throw new Error(outcome.description);
    const spent = outcome.tokens.refresh_token;
    const rotated = store.refresh({ clientId: 'c', refreshToken: spent, scopes: undefined });
    expect(rotated.ok).toBe(true);
    now += 10_000; // access tokens (5 s) are gone, refresh tokens (60 s) are not
    store.sweep();
    expect(store.refresh({ clientId: 'c', refreshToken: spent, scopes: undefined })).toMatchObject({ reuse: true });
  });
});
