/** Chain id for platform-level events that belong to no tenant (e.g. a failed sign-in for an unknown email). */
export const PLATFORM_CHAIN = '00000000-0000-0000-0000-000000000000';

export type ActorType = 'user' | 'api_key' | 'oauth_client' | 'system' | 'anonymous';
export type Outcome = 'success' | 'failure' | 'denied' | 'error';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What a caller records. Secrets in `metadata` are redacted before anything is hashed or stored. */
export interface AuditEventInput {
  /** The tenant whose chain records this, or PLATFORM_CHAIN. */
  tenantId: string;
  actor: { type: ActorType; id?: string | undefined };
  /** Dotted verb, e.g. `member.role_changed`, `auth.sign_in`, `tool.call`. */
  action: string;
  target?: { type: string; id: string } | undefined;
  outcome: Outcome;
  requestId?: string | undefined;
  traceId?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  occurredAt?: Date | undefined;
}

/** The stored, hashed form: one link of a tenant's chain. */
export interface AuditEvent {
  tenantId: string;
  seq: number;
  occurredAt: Date;
  actorType: ActorType;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: Outcome;
  requestId: string | null;
  traceId: string | null;
  metadata: JsonObject;
  prevHash: Buffer;
  hash: Buffer;
}

export interface ChainHead {
  lastSeq: number;
  lastHash: Buffer;
}

export const GENESIS_HASH = Buffer.alloc(32);
