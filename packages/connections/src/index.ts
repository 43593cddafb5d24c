export { ConnectionsError, type ConnectionsErrorCode } from './connections.errors.js';
export { clientSecretContext, ProviderAppService, type ProviderAppInput } from './provider-apps.service.js';
export { ConnectStateStore, type ConnectState, type ConsumedState } from './connect-state.js';
export {
  ConnectionService,
  connectionTokensContext,
  type ConnectionServiceOptions,
  type CurrentAccess,
  type ConnectionView,
  type TokenRequest,
  type TokenResult,
} from './connection.service.js';
export { deadline, type Deadline } from './deadline.js';
export {
  OutboundHttp,
  refusedAddress,
  type OutboundHttpOptions,
  type OutboundResponse,
  type SendOptions,
} from './outbound-http.js';
export { CALLBACK_PATH, CONNECT_PATH, connectionCallbackUrl, connectPageUrl } from './urls.js';
