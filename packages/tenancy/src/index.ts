export {
  actorLabel,
  API_KEY_SCOPES,
  recordAction,
  requireScope,
  scopesForRole,
  type Actor,
  type ApiKeyScope,
} from './actor.js';
export { mintApiKey, parseApiKey } from './api-keys.js';
export { TenancyError, type TenancyErrorCode } from './errors.js';
export {
  TenantAdminService,
  type MemberRoleChange,
  type RequestContext,
  type TenantDeletion,
} from './tenant-admin.service.js';
