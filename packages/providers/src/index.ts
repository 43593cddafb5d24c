export {
  PROVIDERS,
  getApiKeyProvider,
  getOAuth2Provider,
  getProvider,
  parseCatalog,
  providerDisplayName,
} from './catalog.js';
export {
  apiKeyProviderSchema,
  oauth2ProviderSchema,
  providerSchema,
  SCOPE_TOKEN,
  type ApiKeyProvider,
  type ApiKeyProviderInput,
  type OAuth2Provider,
  type OAuth2ProviderInput,
  type ParamSpec,
  type ProviderDefinition,
} from './provider.schema.js';
export { ProviderError, type ProviderErrorCode } from './provider.errors.js';
export { resolveProviderUrls, type ProviderParams, type ProviderUrls } from './templates.js';
export {
  buildAuthorizationUrl,
  pkceChallenge,
  requestedScopes,
  type AuthorizationInput,
  type AuthorizationRequest,
} from './authorization-url.js';
export { missingScopes, parseGrantedScopes, scopesSatisfy } from './scopes.js';
export { readAccountId, readAccountLabel } from './account.js';
export { readTokenResponse, type TokenSet } from './token-response.js';
export {
  applyApiKey,
  buildRevocationRequest,
  buildTokenRequest,
  buildUserInfoRequest,
  type ApiKeyAuth,
  type ClientCredentials,
  type HttpRequest,
  type TokenGrant,
} from './requests.js';
