import { ProviderError } from './provider.errors.js';
import type { OAuth2Provider, ParamSpec } from './provider.schema.js';

export const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;
/** The only placeholder that is not a declared param: GitHub puts the client id in its revocation path. */
export const CLIENT_ID_PLACEHOLDER = 'clientId';

/** Values for an entry's URL placeholders, e.g. `{ tenant: 'contoso.onmicrosoft.com' }` or `{ baseUrl: '…' }`. */
export type ProviderParams = Readonly<Record<string, string | undefined>>;

export interface ProviderUrls {
  authorizationUrl: string;
  tokenUrl: string;
  /** The token endpoint unless the provider refreshes elsewhere (Figma). */
  refreshUrl: string;
  userInfoUrl?: string;
}

const TENANT =
  /^(?:common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/i;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

/**
 * The normalized value of one placeholder, or undefined when it is unacceptable. A base URL loses its trailing
 * slash; anything that could move a request elsewhere than the declared host (credentials, query, fragment, plain
 * http off loopback, a host outside `hostSuffixes`) is refused, because the token request carries our secret.
 */
export function validateParamValue(spec: ParamSpec, value: string): string | undefined {
  if (spec.kind === 'tenant') return TENANT.test(value) ? value : undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const localHttp = spec.allowLocalHttp && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !localHttp) return undefined;
  if (url.username || url.password || url.search || url.hash || /[?#]/.test(value)) return undefined;
  const host = url.hostname.toLowerCase();
  if (spec.hostSuffixes && !spec.hostSuffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) {
    return undefined;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Checks and normalizes the placeholder values for an entry, filling in defaults; unknown names are refused. */
export function resolveParams(provider: OAuth2Provider, given: ProviderParams = {}): Record<string, string> {
  for (const name of Object.keys(given)) {
    // Own properties only: `constructor`, `toString` and the like are no parameters.
    if (given[name] !== undefined && !Object.hasOwn(provider.params, name)) {
      throw new ProviderError('invalid_param', `${provider.name} takes no parameter "${name}"`);
    }
  }
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(provider.params)) {
    const raw = given[name] ?? spec.default;
    if (raw === undefined || raw === '') {
      throw new ProviderError('missing_param', `${provider.name} needs "${name}": ${spec.description}`);
    }
    const value = validateParamValue(spec, raw);
    if (value === undefined) {
      throw new ProviderError('invalid_param', `${provider.name}: "${name}" is not acceptable (${describe(spec)})`);
    }
    values[name] = value;
  }
  return values;
}

export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ProviderError('missing_param', `no value for {${name}}`);
    return value;
  });
}

/** The entry's endpoints with placeholders filled (the revocation URL is built by `buildRevocationRequest`). */
export function resolveProviderUrls(provider: OAuth2Provider, params: ProviderParams = {}): ProviderUrls {
  const values = resolveParams(provider, params);
  const tokenUrl = fillTemplate(provider.tokenUrl, values);
  const urls: ProviderUrls = {
    authorizationUrl: fillTemplate(provider.authorizationUrl, values),
    tokenUrl,
    refreshUrl: provider.refresh.url === undefined ? tokenUrl : fillTemplate(provider.refresh.url, values),
  };
  if (provider.userInfo) urls.userInfoUrl = fillTemplate(provider.userInfo.url, values);
  return urls;
}

function describe(spec: ParamSpec): string {
  if (spec.kind === 'tenant') return 'expected common, organizations, consumers, a tenant GUID or a domain';
  const hosts = spec.hostSuffixes ? ` on ${spec.hostSuffixes.join(' or ')}` : '';
  const local = spec.allowLocalHttp ? ' (or http on localhost/127.0.0.1)' : '';
  return `expected an https URL${hosts}${local} without credentials, query or fragment`;
}
