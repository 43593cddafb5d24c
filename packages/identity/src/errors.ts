export type IdentityErrorCode = 'invalid_credentials' | 'too_many_attempts' | 'email_taken' | 'weak_password';

/** Identity failures with a stable code. Messages are safe to show: they never say whether an email exists. */
export class IdentityError extends Error {
  readonly code: IdentityErrorCode;
  /** For `too_many_attempts`: seconds until another attempt is allowed. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: IdentityErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'IdentityError';
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
