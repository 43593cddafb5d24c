import type { AuditEventInput, AuditLog } from '@gatehouse/audit';
import type { DbExecutor, MembershipRole } from '@gatehouse/db';
import { TenancyError } from './errors.js';

/** Who is acting, inside which tenant (STYLE §6: one object, not loose ids). */
export interface Actor {
  tenantId: string;
  tenantSlug: string;
  userId?: string;
  apiKeyId?: string;
  /** The member's role; API keys have none and act through scopes only. */
  role?: MembershipRole;
  scopes: readonly string[];
}

export const API_KEY_SCOPES = [
  'members:read',
  'members:write',
  'api_keys:write',
  'audit:read',
  'servers:read',
  'servers:write',
  'providers:read',
  'providers:write',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const ROLE_SCOPES: Record<MembershipRole, readonly ApiKeyScope[]> = {
  owner: API_KEY_SCOPES,
  admin: API_KEY_SCOPES,
  // Members see which MCP servers exist (to connect their clients) and which providers they can connect to;
  // everything else is for admins.
  member: ['servers:read', 'providers:read'],
};

export function scopesForRole(role: MembershipRole): readonly ApiKeyScope[] {
  return ROLE_SCOPES[role];
}

export function actorLabel(actor: Actor): { type: 'user' | 'api_key'; id: string } {
  return actor.apiKeyId ? { type: 'api_key', id: actor.apiKeyId } : { type: 'user', id: actor.userId ?? 'unknown' };
}

/** Throws `forbidden` unless the actor holds `scope` (roles map to scopes; API keys carry theirs). */
export function requireScope(actor: Actor, scope: ApiKeyScope): void {
  if (!actor.scopes.includes(scope)) throw new TenancyError('forbidden', `This needs the ${scope} permission.`);
}

/** Records an admin action of `actor` in its tenant's audit chain, inside the caller's transaction (fail closed). */
export function recordAction(
  audit: AuditLog<DbExecutor>,
  tx: DbExecutor,
  actor: Actor,
  event: Omit<AuditEventInput, 'tenantId' | 'actor'>,
  requestId: string | undefined,
) {
  return audit.recordInTransaction(tx, [{ ...event, tenantId: actor.tenantId, actor: actorLabel(actor), requestId }]);
}
