import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from './chain.js';
import type { AuditEventInput, JsonValue, Outcome } from './event.js';

/** A tool call's outcome as its `tool.call` record (and the api's metrics) name it. */
export type ToolCallResultName = 'succeeded' | 'failed' | 'rate_limited' | 'needs_connection' | 'interrupted';

/** SHA-256 of a value's canonical JSON: the same value, the same digest (idempotency keys). Not for records. */
export function canonicalDigest(value: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(value as JsonValue))
    .digest('hex');
}

/** The platform secret (`loadPlatformSecret`) the argument digests of every tenant are keyed from. */
export const ARGUMENTS_DIGEST_SECRET = 'audit-digest';

/** A tenant's digest of tool-call arguments (`argumentsDigester`). */
export type ArgumentsDigest = (tenantId: string, args: unknown) => string;

/**
 * Digests of tool-call arguments: what was asked, provably, without keeping it. Keyed — HMAC-SHA-256 under a key of
 * the tenant's own, derived from the deployment's digest secret — because arguments are often easy to guess (an email
 * address, a search term): a plain hash in an audit export would let its reader test guesses offline. The same
 * arguments in one tenant give the same digest; `gatehouse-admin audit digest` computes one for a candidate.
 */
export function argumentsDigester(secret: Buffer): ArgumentsDigest {
  const keys = new Map<string, Buffer>();
  return (tenantId, args) => {
    let key = keys.get(tenantId);
    if (!key) {
      if (keys.size >= 10_000) keys.clear();
      key = createHmac('sha256', secret).update(`gatehouse.arguments-digest.v1|${tenantId}`).digest();
      keys.set(tenantId, key);
    }
    return createHmac('sha256', key)
      .update(canonicalJson(args as JsonValue))
      .digest('hex');
  };
}

export interface ToolCallRecord {
  tenantId: string;
  userId: string;
  clientId: string;
  serverId: string;
  tool: string;
  version: string;
  provider: string;
  /** The arguments' keyed digest (`argumentsDigester`); absent when it could not be made (a job queued without it). */
  argumentsDigest: string | undefined;
  result: ToolCallResultName;
  latencyMs: number;
  requestId?: string | undefined;
  traceId?: string | undefined;
  /** More metadata: an error code, the provider's status, the limit that refused it, who recorded it. */
  extra?: Record<string, unknown> | undefined;
}

/**
 * The `tool.call` record of one call — one shape whoever writes it: the api that answered the call, or the worker
 * that ran it when no api was waiting any more (the api crashed or stopped meanwhile).
 */
export function toolCallEvent(call: ToolCallRecord): AuditEventInput {
  const outcome: Outcome =
    call.result === 'succeeded'
      ? 'success'
      : call.result === 'needs_connection' || call.result === 'rate_limited'
        ? 'denied'
        : 'failure';
  return {
    tenantId: call.tenantId,
    actor: { type: 'user', id: call.userId },
    action: 'tool.call',
    target: { type: 'tool', id: call.tool },
    outcome,
    requestId: call.requestId,
    traceId: call.traceId,
    metadata: {
      result: call.result,
      tool: call.tool,
      version: call.version,
      provider: call.provider,
      serverId: call.serverId,
      // Whole (at most 2048 characters, as OAuth keeps it), so the audit's filter by client finds it.
      clientId: call.clientId.slice(0, 2048),
      latencyMs: call.latencyMs,
      // Arguments may hold personal data: only their keyed digest is kept.
      ...(call.argumentsDigest === undefined ? {} : { argumentsDigest: call.argumentsDigest }),
      ...call.extra,
    },
  };
}
