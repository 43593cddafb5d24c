import type { AuditEvent } from '@gatehouse/audit';
import type { ApiKeyRecord, InvitationRecord, MemberRecord } from '@gatehouse/db';

// Explicit response mappers: only these fields ever leave the api (no hashes, no tokens).

export const toMember = (m: MemberRecord) => ({
  userId: m.userId,
  email: m.email,
  displayName: m.displayName,
  role: m.role,
  joinedAt: m.joinedAt.toISOString(),
});

export const toInvitation = (i: InvitationRecord) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  expiresAt: i.expiresAt.toISOString(),
  createdAt: i.createdAt.toISOString(),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const toApiKey = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: iso(k.lastUsedAt),
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
});

export const toAuditEvent = (e: AuditEvent) => ({
  seq: e.seq,
  occurredAt: e.occurredAt.toISOString(),
  actorType: e.actorType,
  actorId: e.actorId,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  outcome: e.outcome,
  requestId: e.requestId,
  traceId: e.traceId,
  metadata: e.metadata,
  hash: e.hash.toString('hex'),
});
