export type ConnectionsErrorCode =
  'unknown_provider' | 'invalid_scopes' | 'invalid_settings' | 'client_secret_required';

/** Domain errors of third-party connections, with a stable code (mapped to problem+json by the api). */
export class ConnectionsError extends Error {
  readonly code: ConnectionsErrorCode;

  constructor(code: ConnectionsErrorCode, message: string) {
    super(message);
    this.name = 'ConnectionsError';
    this.code = code;
  }
}
