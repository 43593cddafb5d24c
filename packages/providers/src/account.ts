import { readPath } from './json-path.js';
import { ProviderError } from './provider.errors.js';
import { expectOAuth2 } from './provider-kind.js';
import type { ProviderDefinition } from './provider.schema.js';

/**
 * The external account id from the response the entry names in `accountId.from` (the token response or the
 * user-info response). Numeric ids (GitHub, HubSpot) become strings. When ids are unique only within a workspace
 * the result is `workspace:id` (Slack `T…:U…`, HubSpot `portal:user`), so two workspaces never collide.
 */
export function readAccountId(definition: ProviderDefinition, response: unknown): string {
  const provider = expectOAuth2(definition);
  const { path, workspacePath, from } = provider.accountId;
  const id = idAt(response, path);
  if (id === undefined) {
    throw new ProviderError(
      'account_id_missing',
      `${provider.name}: no account id at "${path}" of the ${source(from)}`,
    );
  }
  if (workspacePath === undefined) return id;
  const workspace = idAt(response, workspacePath);
  if (workspace === undefined) {
    throw new ProviderError(
      'account_id_missing',
      `${provider.name}: no workspace id at "${workspacePath}" of the ${source(from)}`,
    );
  }
  return `${workspace}:${id}`;
}

/** A display name for the connected account (login, email or workspace name), if the entry declares one. */
export function readAccountLabel(definition: ProviderDefinition, response: unknown): string | undefined {
  const provider = expectOAuth2(definition);
  if (provider.accountId.labelPath === undefined) return undefined;
  const label = readPath(response, provider.accountId.labelPath);
  return typeof label === 'string' && label.trim() !== '' ? label.trim().slice(0, 200) : undefined;
}

function idAt(response: unknown, path: string): string | undefined {
  const value = readPath(response, path);
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function source(from: 'token' | 'user_info'): string {
  return from === 'token' ? 'token response' : 'user-info response';
}
