/**
 * What the api's connect callback sends back to the console (`?connected=<provider id>` or
 * `?connection_error=<code>`), worded here. The query is anyone's to write — a crafted link must not put its own
 * sentence on a Gatehouse page —, so only a provider id's shape or a known code is ever shown.
 */
const PROVIDER_ID = /^[a-z0-9]+(?:-[a-z0-9]+){0,7}$/;

const MESSAGES: Record<string, string> = {
  connection_declined: 'You declined at the provider, so nothing was connected.',
  exchange_failed:
    'The provider refused the connection. Try again; if it keeps failing, ask an admin to check the provider app.',
  provider_unreachable: 'The provider could not be reached. Try again in a moment.',
  response_too_large: 'The provider answered with more than Gatehouse accepts. Ask an admin to check the provider app.',
  provider_not_configured: 'This provider is not set up in this organisation any more. Ask an admin.',
  invalid_state: 'The connection link was used already or expired. Start connecting again.',
  tokens_unstorable:
    'Gatehouse could not store the new tokens, so nothing changed. Try again; an operator may need to check the vault keys.',
  client_secret_unreadable:
    "Gatehouse cannot read this organisation's client secret for the provider. Ask an admin to save it again.",
  connection_busy: 'Your connection was being refreshed at that moment, so nothing changed. Try again.',
};

/** The provider id from `?connected=`, if it looks like one. */
export function connectedProvider(value: string | undefined): string | undefined {
  return value !== undefined && PROVIDER_ID.test(value) ? value : undefined;
}

/** The sentence for `?connection_error=`: a known code's, or a general one. */
export function connectErrorMessage(code: string): string {
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : 'The connection was not completed. Try again.';
}
