export { ConnectionsError, type ConnectionsErrorCode } from './connections.errors.js';
export { clientSecretContext, ProviderAppService, type ProviderAppInput } from './provider-apps.service.js';
