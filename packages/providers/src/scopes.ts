import { readPath } from './json-path.js';
import { expectOAuth2 } from './provider-kind.js';
import type { ProviderDefinition } from './provider.schema.js';

/**
 * The scopes a token response says were granted. Providers report them differently: a string with their own
 * separator (GitHub answers `repo,gist` although it is asked with spaces), an array (HubSpot `scopes`), nested
 * (Slack `authed_user.scope`), or not at all — then the grant is taken to be what was `requested` (RFC 6749 §5.1).
 */
export function parseGrantedScopes(
  definition: ProviderDefinition,
  tokenResponse: unknown,
  requested: readonly string[],
): string[] {
  const provider = expectOAuth2(definition);
  const value = readPath(tokenResponse, provider.grantedScopes.path);
  let scopes: string[];
  if (typeof value === 'string') {
    // Scope tokens never contain whitespace (RFC 6749 §3.3), so splitting on it is always safe.
    scopes = value.split(provider.grantedScopes.separator === ',' ? /[\s,]+/ : /\s+/);
  } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    scopes = value;
  } else {
    scopes = [...requested];
  }
  return [...new Set(scopes.map((scope) => scope.trim()).filter((scope) => scope !== ''))];
}

/**
 * The required scopes missing from a grant: neither granted nor included in a granted scope (`impliedScopes`, followed
 * through: `admin:org` covers `write:org`, which covers `read:org`); case-insensitive for providers that compare so
 * (Microsoft).
 */
export function missingScopes(
  granted: readonly string[],
  required: readonly string[],
  provider?: ProviderDefinition,
): string[] {
  const oauth2 = provider?.kind === 'oauth2' ? provider : undefined;
  const normalize = (scope: string) => (oauth2?.scopesCaseInsensitive ? scope.toLowerCase() : scope);
  const implied = new Map<string, readonly string[]>();
  for (const [scope, covers] of Object.entries(oauth2?.impliedScopes ?? {})) implied.set(normalize(scope), covers);
  const have = new Set<string>();
  const pending = granted.map(normalize);
  for (let scope = pending.pop(); scope !== undefined; scope = pending.pop()) {
    if (have.has(scope)) continue;
    have.add(scope);
    for (const covered of implied.get(scope) ?? []) pending.push(normalize(covered));
  }
  return required.filter((scope) => !have.has(normalize(scope)));
}

/** Whether a grant covers every required scope, directly or through a scope that includes it. */
export function scopesSatisfy(
  granted: readonly string[],
  required: readonly string[],
  provider?: ProviderDefinition,
): boolean {
  return missingScopes(granted, required, provider).length === 0;
}
