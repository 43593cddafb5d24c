import { anthropic, openai, postmark, sendgrid, stripe, twilio } from './catalog/api-keys.js';
import { hubspot, salesforce } from './catalog/business.js';
import { demo } from './catalog/demo.js';
import { atlassian, figma, github, gitlab, linear } from './catalog/developer-tools.js';
import { asana, discord, dropbox, google, microsoft, notion, slack, zoom } from './catalog/productivity.js';
import { ProviderError } from './provider.errors.js';
import { expectApiKey, expectOAuth2 } from './provider-kind.js';
import {
  providerSchema,
  type ApiKeyProvider,
  type OAuth2Provider,
  type ProviderDefinition,
} from './provider.schema.js';

/**
 * Validates catalog entries: each against the schema, ids unique. Throws one `invalid_catalog` error listing
 * every problem, so a bad entry fails at module load (and in the unit tests), never at a user's first connection.
 * Entries come back deeply frozen: the catalog is shared by every request.
 */
export function parseCatalog(entries: readonly unknown[]): readonly ProviderDefinition[] {
  const problems: string[] = [];
  const parsed: ProviderDefinition[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const result = providerSchema.safeParse(entry);
    const label = labelOf(entry, index);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push(`${label}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
      }
      return;
    }
    if (seen.has(result.data.id)) problems.push(`${label}: duplicate id`);
    seen.add(result.data.id);
    parsed.push(deepFreeze(result.data));
  });
  if (problems.length > 0) {
    throw new ProviderError('invalid_catalog', `invalid provider catalog:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed);
}

/** Every provider Gatehouse knows, validated when this module loads. */
export const PROVIDERS: readonly ProviderDefinition[] = parseCatalog([
  github,
  google,
  microsoft,
  slack,
  notion,
  linear,
  atlassian,
  salesforce,
  hubspot,
  zoom,
  dropbox,
  asana,
  gitlab,
  discord,
  figma,
  demo,
  openai,
  anthropic,
  stripe,
  sendgrid,
  twilio,
  postmark,
]);

const BY_ID = new Map(PROVIDERS.map((provider) => [provider.id, provider]));

export function getProvider(id: string): ProviderDefinition {
  const provider = BY_ID.get(id);
  if (!provider) throw new ProviderError('unknown_provider', `Unknown provider: ${id}`);
  return provider;
}

/** A provider's display name, or its id when the catalog no longer has it (an app stored before an upgrade). */
export function providerDisplayName(id: string): string {
  return BY_ID.get(id)?.name ?? id;
}

export function getOAuth2Provider(id: string): OAuth2Provider {
  return expectOAuth2(getProvider(id));
}

export function getApiKeyProvider(id: string): ApiKeyProvider {
  return expectApiKey(getProvider(id));
}

function labelOf(entry: unknown, index: number): string {
  const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `provider "${id}"` : `entry #${index}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
