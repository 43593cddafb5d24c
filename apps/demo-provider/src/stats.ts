/** Counters tests assert on (`GET /admin/stats`). Every field is a plain count since start or the last reset. */
export interface Stats {
  /** Approval-page submissions that sent a code back to the client. */
  authorizationsApproved: number;
  /** Approval-page submissions that sent `access_denied` back. */
  authorizationsDenied: number;
  /** Every `POST /oauth/token`, successful or not. */
  tokenRequests: number;
  /** Authorization codes exchanged for tokens. */
  codeExchanges: number;
  /** Successful refresh-token rotations. */
  refreshes: number;
  /** Refresh requests answered with an error (reuse, expiry, revocation, the fail-refresh switch, …). */
  refreshFailures: number;
  /** Refresh requests that presented an already-rotated token (each one revokes, or found revoked, its family). */
  refreshReuseDetected: number;
  /** Accepted `POST /oauth/revoke` requests (RFC 7009 answers 200 even for unknown tokens). */
  revocations: number;
  /** Every request under /api/. */
  apiRequests: number;
  /** /api/ requests answered 401 (no, unknown, expired or revoked token). */
  apiUnauthorized: number;
  /** /api/ requests answered 403 insufficient_scope. */
  apiForbidden: number;
  /** /api/ requests answered with a failure set up by `POST /admin/fail-api`. */
  apiFailuresInjected: number;
  /** Successful note reads (list or one note). */
  reads: number;
  /** Successful note writes (create or delete). */
  writes: number;
  /**
   * Requests of any kind that carried a W3C trace context (`traceparent` or `tracestate`): a third party should never
   * be handed the caller's trace.
   */
  traceContextsReceived: number;
}

export function emptyStats(): Stats {
  return {
    authorizationsApproved: 0,
    authorizationsDenied: 0,
    tokenRequests: 0,
    codeExchanges: 0,
    refreshes: 0,
    refreshFailures: 0,
    refreshReuseDetected: 0,
    revocations: 0,
    apiRequests: 0,
    apiUnauthorized: 0,
    apiForbidden: 0,
    apiFailuresInjected: 0,
    reads: 0,
    writes: 0,
    traceContextsReceived: 0,
  };
}
