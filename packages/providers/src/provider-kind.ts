import { ProviderError } from './provider.errors.js';
import type { ApiKeyProvider, OAuth2Provider, ProviderDefinition } from './provider.schema.js';

export function expectOAuth2(provider: ProviderDefinition): OAuth2Provider {
  if (provider.kind !== 'oauth2') {
    throw new ProviderError('wrong_kind', `${provider.name} uses API keys, not OAuth`);
  }
  return provider;
}

export function expectApiKey(provider: ProviderDefinition): ApiKeyProvider {
  if (provider.kind !== 'api_key') {
    throw new ProviderError('wrong_kind', `${provider.name} uses OAuth, not API keys`);
  }
  return provider;
}
