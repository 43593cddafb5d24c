import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditEventInput, AuditLog } from '@gatehouse/audit';
import {
  ApiKeyRepository,
  DataError,
  destroyDataKeysIn,
  InvitationRepository,
  McpServerRepository,
  MembershipRepository,
  membershipRole,
  OAuthModelRepository,
  TenantRepository,
  UserRepository,
  withScope,
  withTenant,
  type ApiKeyRecord,
  type Database,
  type DbExecutor,
  type InvitationRecord,
  type MemberRecord,
  type MembershipRole,
  type ToolLimits,
  type TenantRecord,
  type UserTenant,
} from '@gatehouse/db';
import { recordAction, requireScope, scopesForRole, type Actor, type ApiKeyScope } from './actor.js';
import { mintApiKey, parseApiKey, secretMatches } from './api-keys.js';
import { TenancyError } from './errors.js';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
const NOT_FOUND = 'No such tenant, or you are not a member of it.';

/**
 * An API key gives people no more than it holds itself: a role above member only if the key has every permission
 * of that role (a key for syncing members must not make admins, who could then mint a key with every scope).
 */
function requireKeyCanGrant(actor: Actor, role: MembershipRole): void {
  if (!actor.apiKeyId || role === 'member') return;
  const beyond = scopesForRole(role).filter((scope) => !actor.scopes.includes(scope));
  if (beyond.length > 0)
    throw new TenancyError('forbidden', `This API key cannot grant the ${role} role: it lacks ${beyond.join(', ')}.`);
}

export interface RequestContext {
  requestId?: string | undefined;
}

/** A tenant was deleted (committed), with the MCP servers it had: their connected sessions must end. */
export interface TenantDeletion {
  tenantId: string;
  tenantSlug: string;
  servers: { id: string; slug: string }[];
}

/** A member's role changed (committed). */
export interface MemberRoleChange {
  tenantId: string;
  tenantSlug: string;
  userId: string;
  from: MembershipRole;
  to: MembershipRole;
}

/**
 * Tenants, members, invitations and API keys. Every change runs in one tenant-scoped transaction together with
 * its audit record: if the record cannot be written, the change does not happen.
 */
export class TenantAdminService {
  private readonly tenants: TenantRepository;
  private readonly users: UserRepository;
  private readonly roleListeners: Array<(change: MemberRoleChange) => Promise<void>> = [];
  private readonly deletionListeners: Array<(deletion: TenantDeletion) => Promise<void>> = [];

  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog<DbExecutor>,
  ) {
    this.tenants = new TenantRepository(db);
    this.users = new UserRepository(db);
  }

  private record(
    tx: DbExecutor,
    actor: Actor,
    event: Omit<AuditEventInput, 'tenantId' | 'actor'>,
    context: RequestContext,
  ) {
    return recordAction(this.audit, tx, actor, event, context.requestId);
  }

  // --- resolving who acts --------------------------------------------------------------------------------

  async createTenant(
    userId: string,
    input: { slug: string; name: string },
    context: RequestContext = {},
  ): Promise<TenantRecord> {
    const id = randomUUID();
    try {
      return await withScope(this.db, { tenantId: id, userId }, async (tx) => {
        const tenant = await new TenantRepository(tx).create({ id, slug: input.slug, name: input.name });
        await new MembershipRepository(tx).add({ tenantId: id, userId, role: 'owner' });
        const actor: Actor = {
          tenantId: id,
          tenantSlug: tenant.slug,
          userId,
          role: 'owner',
          scopes: scopesForRole('owner'),
        };
        await this.record(
          tx,
          actor,
          {
            action: 'tenant.created',
            target: { type: 'tenant', id },
            outcome: 'success',
            metadata: { slug: tenant.slug },
          },
          context,
        );
        return tenant;
      });
    } catch (error) {
      if (error instanceof DataError && error.code === 'conflict')
        throw new TenancyError('slug_taken', `The address "${input.slug}" is taken.`);
      throw error;
    }
  }

  tenantsOf(userId: string): Promise<UserTenant[]> {
    return withScope(this.db, { userId }, (tx) => new MembershipRepository(tx).tenantsOf(userId));
  }

  /** A member acting in a tenant; anyone else gets `not_found` (the tenant's existence is not confirmed). */
  async actorForUser(slug: string, userId: string): Promise<Actor> {
    const tenant = await this.tenants.findBySlug(slug);
    if (!tenant) throw new TenancyError('not_found', NOT_FOUND);
    const membership = await withTenant(this.db, tenant.id, (tx) =>
      new MembershipRepository(tx).find(tenant.id, userId),
    );
    if (!membership) throw new TenancyError('not_found', NOT_FOUND);
    return {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      userId,
      role: membership.role,
      scopes: scopesForRole(membership.role),
    };
  }

  /** The person's role in the tenant, or null once they are not a member; one short read, for per-request checks. */
  roleOf(tenantId: string, userId: string): Promise<MembershipRole | null> {
    return membershipRole(this.db, tenantId, userId);
  }

  /** An API key acting in its own tenant; the slug in the URL must be that tenant's. */
  async actorForApiKey(slug: string, key: string): Promise<Actor> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new TenancyError('invalid_api_key', 'The API key is not valid.');
    // A key only ever acts in its own tenant: check the URL's tenant before touching the key.
    const tenant = await this.tenants.findBySlug(slug);
    if (!tenant || tenant.id !== parsed.tenantId) throw new TenancyError('not_found', NOT_FOUND);
    const now = new Date();
    const found = await withTenant(this.db, tenant.id, async (tx) => {
      const keys = new ApiKeyRepository(tx);
      const record = await keys.credentialsOf(tenant.id, parsed.id);
      if (
        !record ||
        record.revokedAt ||
        (record.expiresAt && record.expiresAt <= now) ||
        !secretMatches(parsed.secret, record.secretHash)
      ) {
        return null;
      }
      await keys.touch(tenant.id, parsed.id, now);
      return record;
    });
    if (!found) throw new TenancyError('invalid_api_key', 'The API key is not valid.');
    return { tenantId: tenant.id, tenantSlug: tenant.slug, apiKeyId: found.id, scopes: found.scopes };
  }

  /**
   * Deletes a tenant (owners only, naming it again to confirm). Its data keys are destroyed in the same
   * transaction as everything else the tenant owns — crypto-shredding: even a copy of its ciphertexts made
   * before now can no longer be decrypted once backups holding its wrapped data keys expire. The audit chain
   * stays, ending with the deletion record.
   */
  async deleteTenant(actor: Actor, confirmSlug: string, context: RequestContext = {}): Promise<void> {
    if (actor.role !== 'owner') throw new TenancyError('forbidden', 'Only an owner can delete a tenant.');
    if (confirmSlug !== actor.tenantSlug)
      throw new TenancyError('confirmation_mismatch', 'Confirm by sending the tenant address exactly.');
    const servers = await withTenant(this.db, actor.tenantId, async (tx) => {
      const servers = await new McpServerRepository(tx).list(actor.tenantId);
      const destroyed = await destroyDataKeysIn(tx, actor.tenantId);
      // Every token for the tenant's MCP servers goes too (the slug could be taken again later).
      const revoked = await new OAuthModelRepository(tx).revokeForResources(actor.tenantSlug);
      await this.record(
        tx,
        actor,
        {
          action: 'tenant.deleted',
          target: { type: 'tenant', id: actor.tenantId },
          outcome: 'success',
          metadata: { slug: actor.tenantSlug, dataKeysDestroyed: destroyed, oauthRowsRevoked: revoked },
        },
        context,
      );
      await new TenantRepository(tx).delete(actor.tenantId);
      return servers.map((server) => ({ id: server.id, slug: server.slug }));
    });
    const deletion = { tenantId: actor.tenantId, tenantSlug: actor.tenantSlug, servers };
    await Promise.all(this.deletionListeners.map((listener) => listener(deletion)));
  }

  /**
   * Runs after a tenant's deletion is committed, awaited before `deleteTenant` returns (its servers' connected MCP
   * sessions must end: their tokens are revoked, and the slugs may be taken again). A listener handles its own
   * failures: the deletion stands.
   */
  onTenantDeleted(listener: (deletion: TenantDeletion) => Promise<void>): void {
    this.deletionListeners.push(listener);
  }

  // --- tool-call limits ----------------------------------------------------------------------------------

  /** The tenant's tool-call limit overrides (calls per minute; absent keys use the deployment's defaults). */
  async toolLimits(actor: Actor): Promise<ToolLimits> {
    requireScope(actor, 'servers:read');
    const tenant = await this.tenants.findBySlug(actor.tenantSlug);
    if (!tenant) throw new TenancyError('not_found', NOT_FOUND);
    return tenant.toolLimits;
  }

  async setToolLimits(actor: Actor, limits: ToolLimits, context: RequestContext = {}): Promise<ToolLimits> {
    requireScope(actor, 'servers:write');
    return withTenant(this.db, actor.tenantId, async (tx) => {
      const updated = await new TenantRepository(tx).setToolLimits(actor.tenantId, limits);
      await this.record(
        tx,
        actor,
        {
          action: 'tenant.tool_limits_changed',
          target: { type: 'tenant', id: actor.tenantId },
          outcome: 'success',
          metadata: { ...updated.toolLimits },
        },
        context,
      );
      return updated.toolLimits;
    });
  }

  // --- members -------------------------------------------------------------------------------------------

  /**
   * Runs after each committed role change, awaited before `changeRole` returns (a role decides which tools a person
   * sees: connected sessions must hear of it). A listener handles its own failures: the change stands.
   */
  onRoleChanged(listener: (change: MemberRoleChange) => Promise<void>): void {
    this.roleListeners.push(listener);
  }

  listMembers(actor: Actor): Promise<MemberRecord[]> {
    if (actor.apiKeyId) requireScope(actor, 'members:read');
    return withTenant(this.db, actor.tenantId, (tx) => new MembershipRepository(tx).listMembers(actor.tenantId));
  }

  async changeRole(actor: Actor, userId: string, role: MembershipRole, context: RequestContext = {}): Promise<void> {
    requireScope(actor, 'members:write');
    requireKeyCanGrant(actor, role);
    const from = await withTenant(this.db, actor.tenantId, async (tx) => {
      const memberships = new MembershipRepository(tx);
      const owners = await memberships.lockOwners(actor.tenantId);
      await requireScopeNow(memberships, actor, 'members:write');
      const current = await memberships.find(actor.tenantId, userId);
      if (!current) throw new TenancyError('not_found', 'No such member.');
      if ((current.role === 'owner' || role === 'owner') && !ownerNow(actor, owners)) {
        throw new TenancyError('forbidden', 'Only an owner can grant or take away ownership.');
      }
      if (current.role === 'owner' && role !== 'owner' && owners.length <= 1) {
        throw new TenancyError('last_owner', 'A tenant keeps at least one owner. Make someone else owner first.');
      }
      await memberships.updateRole(actor.tenantId, userId, role);
      await this.record(
        tx,
        actor,
        {
          action: 'member.role_changed',
          target: { type: 'user', id: userId },
          outcome: 'success',
          metadata: { from: current.role, to: role },
        },
        context,
      );
      return current.role;
    });
    if (from === role) return;
    const change = { tenantId: actor.tenantId, tenantSlug: actor.tenantSlug, userId, from, to: role };
    await Promise.all(this.roleListeners.map((listener) => listener(change)));
  }

  async removeMember(actor: Actor, userId: string, context: RequestContext = {}): Promise<void> {
    if (userId !== actor.userId) requireScope(actor, 'members:write');
    await withTenant(this.db, actor.tenantId, async (tx) => {
      const memberships = new MembershipRepository(tx);
      const owners = await memberships.lockOwners(actor.tenantId);
      if (userId !== actor.userId) await requireScopeNow(memberships, actor, 'members:write');
      const current = await memberships.find(actor.tenantId, userId);
      if (!current) throw new TenancyError('not_found', 'No such member.');
      if (current.role === 'owner' && !ownerNow(actor, owners))
        throw new TenancyError('forbidden', 'Only an owner can remove an owner.');
      if (current.role === 'owner' && owners.length <= 1) {
        throw new TenancyError('last_owner', 'A tenant keeps at least one owner. Make someone else owner first.');
      }
      await memberships.remove(actor.tenantId, userId);
      await this.record(
        tx,
        actor,
        {
          action: 'member.removed',
          target: { type: 'user', id: userId },
          outcome: 'success',
          metadata: { role: current.role },
        },
        context,
      );
    });
  }

  // --- invitations ---------------------------------------------------------------------------------------

  async invite(
    actor: Actor,
    input: { email: string; role: MembershipRole },
    context: RequestContext = {},
  ): Promise<{ invitation: InvitationRecord; token: string }> {
    requireScope(actor, 'members:write');
    if (input.role === 'owner' && actor.role !== 'owner')
      throw new TenancyError('forbidden', 'Only an owner can invite an owner.');
    requireKeyCanGrant(actor, input.role);
    const token = randomBytes(32).toString('base64url');
    const invitation = await withTenant(this.db, actor.tenantId, async (tx) => {
      const memberships = new MembershipRepository(tx);
      const roleNow = await requireScopeNow(memberships, actor, 'members:write');
      if (input.role === 'owner' && roleNow !== undefined && roleNow !== 'owner')
        throw new TenancyError('forbidden', 'Only an owner can invite an owner.');
      const created = await new InvitationRepository(tx).create({
        tenantId: actor.tenantId,
        email: input.email.trim().toLowerCase(),
        role: input.role,
        tokenHash: createHash('sha256').update(token).digest(),
        invitedBy: actor.userId ?? null,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      });
      await this.record(
        tx,
        actor,
        {
          action: 'invitation.created',
          target: { type: 'invitation', id: created.id },
          outcome: 'success',
          metadata: { email: created.email, role: created.role },
        },
        context,
      );
      return created;
    });
    return { invitation, token };
  }

  listInvitations(actor: Actor): Promise<InvitationRecord[]> {
    requireScope(actor, 'members:read');
    return withTenant(this.db, actor.tenantId, (tx) =>
      new InvitationRepository(tx).listPending(actor.tenantId, new Date()),
    );
  }

  async revokeInvitation(actor: Actor, id: string, context: RequestContext = {}): Promise<void> {
    requireScope(actor, 'members:write');
    await withTenant(this.db, actor.tenantId, async (tx) => {
      if (!(await new InvitationRepository(tx).revoke(actor.tenantId, id, new Date())))
        throw new TenancyError('not_found', 'No such pending invitation.');
      await this.record(
        tx,
        actor,
        { action: 'invitation.revoked', target: { type: 'invitation', id }, outcome: 'success' },
        context,
      );
    });
  }

  /** Single use, unexpired, and only by a signed-in user whose email the invitation names. */
  async acceptInvitation(
    userId: string,
    slug: string,
    token: string,
    context: RequestContext = {},
  ): Promise<UserTenant> {
    const invalid = new TenancyError(
      'invitation_invalid',
      'This invitation link is not valid any more. Ask for a new one.',
    );
    const [tenant, user] = await Promise.all([this.tenants.findBySlug(slug), this.users.findById(userId)]);
    if (!tenant || !user || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw invalid;
    return withScope(this.db, { tenantId: tenant.id, userId }, async (tx) => {
      const invitations = new InvitationRepository(tx);
      const invitation = await invitations.findByTokenHash(tenant.id, createHash('sha256').update(token).digest());
      if (!invitation || invitation.email !== user.email) throw invalid;
      const memberships = new MembershipRepository(tx);
      if (await memberships.find(tenant.id, userId))
        throw new TenancyError('already_member', 'You are already a member of this tenant.');
      // An invitation carries its inviter's authority, so it lapses with it: a person since removed, or no longer
      // allowed to invite (or to invite an owner), cannot bring anyone in through a link they kept. (Locked, so a
      // demotion cannot commit in between.)
      if (invitation.invitedBy !== null) {
        const inviter = await memberships.lockRole(tenant.id, invitation.invitedBy);
        if (
          !inviter ||
          !scopesForRole(inviter).includes('members:write') ||
          (invitation.role === 'owner' && inviter !== 'owner')
        )
          throw invalid;
      }
      if (!(await invitations.accept(tenant.id, invitation.id, userId, new Date()))) throw invalid;
      await memberships.add({ tenantId: tenant.id, userId, role: invitation.role });
      const actor: Actor = { tenantId: tenant.id, tenantSlug: tenant.slug, userId, role: invitation.role, scopes: [] };
      await this.record(
        tx,
        actor,
        {
          action: 'invitation.accepted',
          target: { type: 'invitation', id: invitation.id },
          outcome: 'success',
          metadata: { role: invitation.role },
        },
        context,
      );
      return { tenantId: tenant.id, slug: tenant.slug, name: tenant.name, role: invitation.role };
    });
  }

  // --- API keys ------------------------------------------------------------------------------------------

  async createApiKey(
    actor: Actor,
    input: { name: string; scopes: ApiKeyScope[]; expiresAt?: Date | undefined },
    context: RequestContext = {},
  ): Promise<{ apiKey: ApiKeyRecord; key: string }> {
    requireScope(actor, 'api_keys:write');
    const beyond = input.scopes.filter((scope) => !actor.scopes.includes(scope));
    if (beyond.length > 0)
      throw new TenancyError('forbidden', `You cannot grant scopes you do not have: ${beyond.join(', ')}.`);
    const minted = mintApiKey(actor.tenantId);
    const apiKey = await withTenant(this.db, actor.tenantId, async (tx) => {
      const created = await new ApiKeyRepository(tx).create({
        id: minted.id,
        tenantId: actor.tenantId,
        name: input.name,
        scopes: [...new Set(input.scopes)],
        secretHash: minted.secretHash,
        createdBy: actor.userId ?? null,
        expiresAt: input.expiresAt ?? null,
      });
      await this.record(
        tx,
        actor,
        {
          action: 'api_key.created',
          target: { type: 'api_key', id: created.id },
          outcome: 'success',
          metadata: { name: created.name, scopes: created.scopes },
        },
        context,
      );
      return created;
    });
    return { apiKey, key: minted.key };
  }

  listApiKeys(actor: Actor): Promise<ApiKeyRecord[]> {
    requireScope(actor, 'api_keys:write');
    return withTenant(this.db, actor.tenantId, (tx) => new ApiKeyRepository(tx).list(actor.tenantId));
  }

  async revokeApiKey(actor: Actor, id: string, context: RequestContext = {}): Promise<void> {
    requireScope(actor, 'api_keys:write');
    await withTenant(this.db, actor.tenantId, async (tx) => {
      if (!(await new ApiKeyRepository(tx).revoke(actor.tenantId, id, new Date())))
        throw new TenancyError('not_found', 'No such active API key.');
      await this.record(
        tx,
        actor,
        { action: 'api_key.revoked', target: { type: 'api_key', id }, outcome: 'success' },
        context,
      );
    });
  }
}

/**
 * Whether the actor is an owner now, judged on the owner rows this transaction has locked — not on the role read
 * when the request came in: an owner demoted or removed by another owner a moment before may no longer grant or take
 * away ownership.
 */
function ownerNow(actor: Actor, lockedOwners: readonly string[]): boolean {
  return actor.role === 'owner' && actor.userId !== undefined && lockedOwners.includes(actor.userId);
}

/**
 * `requireScope` on the person's role as the change's transaction sees it (share-locked), not as it was read when the
 * request came in: an admin demoted or removed a moment before no longer changes other people's memberships. Returns
 * that role; API keys act through their own scopes, checked as they arrived (undefined).
 */
async function requireScopeNow(
  memberships: MembershipRepository,
  actor: Actor,
  scope: ApiKeyScope,
): Promise<MembershipRole | undefined> {
  if (actor.apiKeyId !== undefined || actor.userId === undefined) return undefined;
  const role = await memberships.lockRole(actor.tenantId, actor.userId);
  if (!role || !scopesForRole(role).includes(scope))
    throw new TenancyError('forbidden', `This needs the ${scope} permission.`);
  return role;
}
