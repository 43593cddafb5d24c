/** Where connect flows live on the api (PUBLIC_API_URL + these paths). */
export const CONNECT_PATH = '/connect';
export const CALLBACK_PATH = '/api/v1/connections/callback';

/** The redirect URI of every provider app: the connect flow's state says which connection it completes. */
export function connectionCallbackUrl(publicApiUrl: string): string {
  return `${publicApiUrl}${CALLBACK_PATH}`;
}

/**
 * Gatehouse's connect page for a provider, optionally asking for more scopes. It holds no secret: the page acts only
 * for the signed-in browser user, and only after they press its button.
 */
export function connectPageUrl(
  publicApiUrl: string,
  tenantSlug: string,
  providerId: string,
  scopes: readonly string[] = [],
): string {
  const base = `${publicApiUrl}${CONNECT_PATH}/${encodeURIComponent(tenantSlug)}/${encodeURIComponent(providerId)}`;
  return scopes.length === 0 ? base : `${base}?scope=${encodeURIComponent(scopes.join(' '))}`;
}
