/** Where requests may come from: the endpoint's own host names, and browser origins allowed to call it. */
export interface OriginPolicy {
  /** `Host` header values, with port when not the default (e.g. `localhost:3000`). */
  readonly allowedHosts: readonly string[];
  /** `Origin` header values (e.g. `https://console.example.com`); requests without an Origin are not browsers'. */
  readonly allowedOrigins: readonly string[];
}

/**
 * Why a request must be refused with 403, or undefined. Guards against DNS rebinding (a web page whose host name
 * resolves to the server), so it runs before anything else, including session creation.
 */
export function checkOrigin(policy: OriginPolicy, headers: { host?: string | undefined; origin?: string | undefined }) {
  const host = headers.host?.toLowerCase();
  if (host === undefined || !policy.allowedHosts.some((allowed) => allowed.toLowerCase() === host)) {
    return `Host not allowed: ${headers.host ?? '(none)'}`;
  }
  if (headers.origin !== undefined && !policy.allowedOrigins.includes(headers.origin)) {
    return `Origin not allowed: ${headers.origin}`;
  }
  return undefined;
}
