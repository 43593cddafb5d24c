/**
 * Where connect flows live: the connect page is served at the same path by the console (PUBLIC_WEB_URL, the link MCP
 * clients get) and by the api (PUBLIC_API_URL, a script-free page); the callback is the api's.
 */
export const CONNECT_PATH = '/connect';
export const CALLBACK_PATH = '/api/v1/connections/callback';

/** The redirect URI of every provider app: the connect flow's state says which connection it completes. */
export function connectionCallbackUrl(publicApiUrl: string): string {
  return `${publicApiUrl}${CALLBACK_PATH}`;
}

/**
 * Gatehouse's connect page for a provider at `baseUrl` (the console's or the api's public URL), optionally asking for
 * more scopes. It holds no secret: the page acts only for the signed-in browser user, after they press its button.
 */
export function connectPageUrl(
  baseUrl: string,
  tenantSlug: string,
  providerId: string,
  scopes: readonly string[] = [],
): string {
  const base = `${baseUrl}${CONNECT_PATH}/${encodeURIComponent(tenantSlug)}/${encodeURIComponent(providerId)}`;
  return scopes.length === 0 ? base : `${base}?scope=${encodeURIComponent(scopes.join(' '))}`;
}
