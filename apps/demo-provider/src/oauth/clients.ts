import { z } from 'zod';
import { digest, matchesDigest, newSecret } from '../secrets.js';

/** An absolute http(s) URL without a fragment (RFC 6749 §3.1.2). Compared byte for byte at /oauth/authorize. */
const redirectUri = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return ['http:', 'https:'].includes(url.protocol) && !value.includes('#');
    } catch {
      return false;
    }
  },
  { message: 'expected an absolute http(s) URL without a fragment' },
);

/** One registration, from `DEMO_PROVIDER_CLIENTS` or `POST /admin/clients` (which may omit the secret). */
export const clientRegistrationSchema = z.strictObject({
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'expected 1-128 characters of A-Z a-z 0-9 . _ ~ -'),
  client_secret: z.string().min(16, 'expected at least 16 characters').max(256).optional(),
  redirect_uris: z.array(redirectUri).min(1).max(20),
});

export type ClientRegistration = z.infer<typeof clientRegistrationSchema>;

interface Client {
  clientId: string;
  secretDigest: string;
  redirectUris: readonly string[];
}

/** Confidential clients only: every client has a secret, kept here as a digest. */
export class ClientRegistry {
  private readonly clients = new Map<string, Client>();

  /**
   * Adds or replaces a client (the seed re-registers Gatehouse on every start). Returns the secret, generated when
   * the registration has none, and whether the client is new.
   */
  register(registration: ClientRegistration): { clientSecret: string; created: boolean } {
    const clientSecret = registration.client_secret ?? newSecret('dpcs');
    const created = !this.clients.has(registration.client_id);
    this.clients.set(registration.client_id, {
      clientId: registration.client_id,
      secretDigest: digest(clientSecret),
      redirectUris: [...registration.redirect_uris],
    });
    return { clientSecret, created };
  }

  find(clientId: string): { clientId: string; redirectUris: readonly string[] } | undefined {
    const client = this.clients.get(clientId);
    return client && { clientId: client.clientId, redirectUris: client.redirectUris };
  }

  /** True when the client exists and the secret matches (constant time; unknown ids cost the same). */
  authenticate(clientId: string, secret: string): boolean {
    const client = this.clients.get(clientId);
    const ok = matchesDigest(secret, client?.secretDigest ?? digest(newSecret('none')));
    return ok && client !== undefined;
  }

  list(): { client_id: string; redirect_uris: string[] }[] {
    return [...this.clients.values()].map((c) => ({ client_id: c.clientId, redirect_uris: [...c.redirectUris] }));
  }
}
