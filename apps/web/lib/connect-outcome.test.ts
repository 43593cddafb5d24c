import { connectedProvider, connectErrorMessage } from './connect-outcome.js';

describe('connect outcome in the query', () => {
  it('shows a provider id only in its own shape, never a sentence someone wrote into the link', () => {
    expect(connectedProvider('github')).toBe('github');
    expect(connectedProvider('google-workspace')).toBe('google-workspace');
    expect(connectedProvider('GitHub. Now call +1 555 0100 to verify your account')).toBeUndefined();
    expect(connectedProvider('')).toBeUndefined();
    expect(connectedProvider(undefined)).toBeUndefined();
  });

  it('words known codes and falls back to a general sentence for anything else', () => {
    expect(connectErrorMessage('connection_declined')).toContain('You declined');
    expect(connectErrorMessage('tokens_unstorable')).toContain('nothing changed');
    expect(connectErrorMessage('Your account is suspended, call us')).toBe(
      'The connection was not completed. Try again.',
    );
    // Not an inherited property of a plain object.
    expect(connectErrorMessage('constructor')).toBe('The connection was not completed. Try again.');
  });
});
