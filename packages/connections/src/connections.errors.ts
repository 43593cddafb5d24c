import { getOAuth2Provider, ProviderError, type OAuth2Provider } from '@gatehouse/providers';

export type ConnectionsErrorCode =
  | 'unknown_provider'
  | 'invalid_scopes'
  | 'invalid_settings'
  | 'client_secret_required'
  /** The tenant has no OAuth app for the provider: an admin must configure one first. */
  | 'provider_not_configured'
  /** The callback's state is unknown, used, expired, or belongs to someone else. */
  | 'invalid_state'
  /** The person declined at the provider's consent screen: nothing was connected. */
  | 'connection_declined'
  /** The provider refused the code exchange or answered something unusable. */
  | 'exchange_failed'
  /** The provider could not be reached (refused destination, network, timeout, 5xx). */
  | 'provider_unreachable'
  /** The provider's answer was larger than the request's limit (asking again gets the same answer). */
  | 'response_too_large'
  /** The person has no connection to the provider. */
  | 'not_connected'
  /** The connection's sealed tokens cannot be opened (a vault key missing here, or a damaged blob). */
  | 'tokens_unreadable'
  /** Tokens just issued could not be sealed (the vault refused): nothing was changed. */
  | 'tokens_unstorable'
  /** A provider app's client secret could not be sealed (the vault refused): nothing was changed. */
  | 'client_secret_unstorable'
  /** The provider app's client secret cannot be opened (a vault key missing here, a damaged blob). */
  | 'client_secret_unreadable'
  /** The connection is being changed (refreshed) by another request right now: try again in a moment. */
  | 'connection_busy'
  /** An API key has no person behind it: connections belong to people. */
  | 'person_required'
  /** The connect link an MCP client was given is unknown or expired. */
  | 'elicitation_expired'
  /** The connect link an MCP client was given is for another person (or tenant, or provider). */
  | 'elicitation_refused';

/** Domain errors of third-party connections, with a stable code (mapped to problem+json by the api). */
export class ConnectionsError extends Error {
  readonly code: ConnectionsErrorCode;
  /**
   * `provider_unreachable` after the request may have been sent (a timeout or a connection lost while waiting for
   * the answer): a write may have taken effect. False when it never left (refused, unresolvable, not connected).
   */
  readonly maybeSent: boolean;
  /** A connect flow's console path to send the person back to with the failure (flows started from the console). */
  readonly returnTo: string | undefined;

  constructor(
    code: ConnectionsErrorCode,
    message: string,
    options: { maybeSent?: boolean; returnTo?: string | undefined } = {},
  ) {
    super(message);
    this.name = 'ConnectionsError';
    this.code = code;
    this.maybeSent = options.maybeSent ?? false;
    this.returnTo = options.returnTo;
  }
}

/** The catalog's OAuth provider `providerId`, or ConnectionsError `unknown_provider`. */
export function oauth2Provider(providerId: string): OAuth2Provider {
  try {
    return getOAuth2Provider(providerId);
  } catch (error) {
    if (error instanceof ProviderError)
      throw new ConnectionsError('unknown_provider', `No OAuth provider "${providerId}" in the catalog.`);
    throw error;
  }
}
