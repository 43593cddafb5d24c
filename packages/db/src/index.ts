export { createDatabase, type Database, type DatabaseOptions, type DbExecutor } from './client.js';
export { sqlOf, withSqlTransaction, type Sql } from './sql.js';
export {
  AUTH_CHANGE_CHANNEL,
  AuthChangeListener,
  authGeneration,
  noteAuthChange,
  type AuthChangeListenerOptions,
} from './auth-changes.js';
export { AccessCache, type AccessCacheOptions } from './access-cache.js';
export {
  APP_ROLE,
  MAINTENANCE_ROLE,
  createScratchDatabase,
  enableRoleLogins,
  scramVerifier,
  roleUrl,
  databaseNameOf,
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabaseName,
  type ScratchDatabase,
} from './admin.js';
export { DataError, isDatabaseError, type DataErrorCode } from './errors.js';
export { pingDatabase } from './probe.js';
export { TenantRepository, type TenantRecord, type ToolLimits } from './repositories/tenant.repository.js';
export { UserRepository, normalizeEmail, type UserRecord } from './repositories/user.repository.js';
export {
  MembershipRepository,
  membershipRole,
  type MemberRecord,
  type MembershipRecord,
  type MembershipRole,
  type UserTenant,
} from './repositories/membership.repository.js';
export { DEMO_ADMIN, DEMO_TENANT, seedDemoTenant, type SeedResult } from './seed.js';
export { withScope, withTenant, type Scope } from './scope.js';
export { DataKeyRepository, destroyDataKeysIn, type DataKeyRow } from './repositories/data-key.repository.js';
export { SecretRepository, type SecretRow } from './repositories/secret.repository.js';
export {
  AuditRepository,
  type AuditEventRow,
  type AuditHead,
  type AuditQuery,
} from './repositories/audit.repository.js';
export { InvitationRepository, type InvitationRecord } from './repositories/invitation.repository.js';
export { ApiKeyRepository, type ApiKeyRecord } from './repositories/api-key.repository.js';
export {
  McpServerRepository,
  type McpServerChanges,
  type McpServerRecord,
} from './repositories/mcp-server.repository.js';
export {
  OAuthModelRepository,
  type OAuthModelIndex,
  type OAuthModelRow,
} from './repositories/oauth-model.repository.js';
export { KeyCheckRepository } from './repositories/key-check.repository.js';
export { PlatformKeyRepository } from './repositories/platform-key.repository.js';
export { OAuthConsentRepository, type OAuthConsentRecord } from './repositories/oauth-consent.repository.js';
export { ProviderAppRepository, type ProviderAppRecord } from './repositories/provider-app.repository.js';
export {
  ConnectionRepository,
  findConnectionWithTokens,
  type ConnectionKey,
  type ConnectionRecord,
  type ConnectionStatus,
  type ServerToolsRecord,
} from './repositories/connection.repository.js';
export { ToolVersionRepository, type ToolVersionEntry } from './repositories/tool-version.repository.js';
export {
  UsageRepository,
  type DailyToolCalls,
  type RateLimitHits,
  type ToolLatency,
  type UsageRows,
} from './repositories/usage.repository.js';
