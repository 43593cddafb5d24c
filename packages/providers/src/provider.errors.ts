export type ProviderErrorCode =
  /** No catalog entry has this id. */
  | 'unknown_provider'
  /** A catalog entry does not match the schema (raised at module load, so a bad entry never ships). */
  | 'invalid_catalog'
  /** The operation needs the other kind of provider (an OAuth flow on an API-key provider, or the reverse). */
  | 'wrong_kind'
  /** A URL placeholder (`{tenant}`, `{baseUrl}`) has no value and no default. */
  | 'missing_param'
  /** A URL placeholder value is malformed or unsafe (not https, a path where a host belongs, a foreign host). */
  | 'invalid_param'
  /** Bad caller input: empty client id or state, a redirect URI that is not an absolute http(s) URL, … */
  | 'invalid_request'
  /** The provider requires PKCE and no (well-formed S256) code challenge was given. */
  | 'pkce_required'
  /** A token endpoint answered without an access token (Slack answers HTTP 200 with `ok: false`). */
  | 'invalid_token_response'
  /** The response the catalog names as the account-id source has no usable id at the declared path. */
  | 'account_id_missing'
  /** An API-key credential field is absent or does not match its declared pattern. */
  | 'invalid_credential';

/** Domain error of the provider catalog; `code` is stable and translated once per transport by the caller. */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;

  constructor(code: ProviderErrorCode, message: string) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
  }
}
