import { createHash } from 'node:crypto';
import { canonicalJson } from './chain.js';
import type { AuditEventInput, JsonValue, Outcome } from './event.js';

/** A tool call's outcome as its `tool.call` record (and the api's metrics) name it. */
export type ToolCallResultName = 'succeeded' | 'failed' | 'rate_limited' | 'needs_connection' | 'interrupted';

/** SHA-256 of the arguments' canonical JSON: what was asked, provably, without keeping it. */
export function argumentsDigest(args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(args as JsonValue))
    .digest('hex');
}

export interface ToolCallRecord {
  tenantId: string;
  userId: string;
  clientId: string;
  serverId: string;
  tool: string;
  version: string;
  provider: string;
  arguments: unknown;
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
      clientId: call.clientId.slice(0, 500),
      latencyMs: call.latencyMs,
      // Arguments may hold personal data: only their digest is kept.
      argumentsDigest: argumentsDigest(call.arguments),
      ...call.extra,
    },
  };
}
