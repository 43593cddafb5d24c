export type TenancyErrorCode =
  | 'not_found' // also for tenants the actor cannot see: existence is never confirmed to outsiders
  | 'forbidden'
  | 'last_owner'
  | 'slug_taken'
  | 'already_member'
  | 'invitation_invalid'
  | 'invalid_api_key'
  | 'confirmation_mismatch' // a destructive request whose confirmation does not name what it destroys
  | 'precondition_failed'; // If-Match names a revision the object no longer has (someone changed it meanwhile)

export class TenancyError extends Error {
  readonly code: TenancyErrorCode;

  constructor(code: TenancyErrorCode, message: string) {
    super(message);
    this.name = 'TenancyError';
    this.code = code;
  }
}
