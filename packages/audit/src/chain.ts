import { createHash } from 'node:crypto';
import { GENESIS_HASH, type AuditEvent, type AuditEventInput, type ChainHead, type JsonValue } from './event.js';
import { redactMetadata, storableText } from './redact.js';

/** Deterministic JSON: object keys sorted, no whitespace. Equal values always give equal bytes. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
}

/** SHA-256 over a versioned canonical encoding of every field of the event except its own hash. */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): Buffer {
  const encoded = canonicalJson({
    v: 1,
    tenantId: event.tenantId,
    seq: String(event.seq),
    occurredAt: event.occurredAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome,
    requestId: event.requestId,
    traceId: event.traceId,
    metadata: event.metadata,
    prevHash: event.prevHash.toString('hex'),
  });
  return createHash('sha256').update(encoded, 'utf8').digest();
}

function truncate(value: string | undefined, max: number): string | null {
  return value === undefined ? null : storableText(value, max, false);
}

/** Turns inputs into the next links of a chain whose head is `head` (null for an empty chain). */
export function link(inputs: readonly AuditEventInput[], head: ChainHead | null): AuditEvent[] {
  let seq = head?.lastSeq ?? 0;
  let prevHash: Buffer = head?.lastHash ?? GENESIS_HASH;
  return inputs.map((input) => {
    seq += 1;
    // Millisecond precision: what the database keeps, so the hash recomputes identically after a round trip.
    const occurredAt = new Date(Math.floor((input.occurredAt ?? new Date()).getTime()));
    const unhashed = {
      tenantId: input.tenantId,
      seq,
      occurredAt,
      actorType: input.actor.type,
      actorId: truncate(input.actor.id, 200),
      action: storableText(input.action, 100, false),
      targetType: truncate(input.target?.type, 50),
      targetId: truncate(input.target?.id, 200),
      outcome: input.outcome,
      requestId: truncate(input.requestId, 128),
      traceId: truncate(input.traceId, 64),
      metadata: redactMetadata(input.metadata ?? {}),
      prevHash,
    };
    const event = { ...unhashed, hash: hashEvent(unhashed) };
    prevHash = event.hash;
    return event;
  });
}

export type BrokenLinkReason =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'sequence_gap'
  | 'head_mismatch'
  /** The event at a checkpoint recorded earlier is no longer the one it was (the chain was rewritten from there). */
  | 'checkpoint_mismatch'
  /** The chain no longer reaches a checkpoint recorded earlier (its newest events were removed, head and all). */
  | 'checkpoint_missing';

/**
 * A link of a chain as recorded outside the database (`head` of an earlier report): the chain must still hold this
 * event, unchanged. What the chain and its head alone cannot show — someone who may write to the database removing the
 * newest events and rewinding the head, or rewriting the chain from some event on — a checkpoint kept elsewhere does.
 */
export interface Checkpoint {
  seq: number;
  /** The event's hash, hex. */
  hash: string;
}

export interface VerifyReport {
  tenantId: string;
  ok: boolean;
  checked: number;
  /** The first event (by sequence number) where the chain no longer holds. */
  firstBroken?: { seq: number; reason: BrokenLinkReason };
  /** The last link verified (absent for an empty chain or a broken one): worth keeping outside as a checkpoint. */
  head?: Checkpoint;
}

/**
 * Walks a chain in sequence order and reports the first broken link: an edited event (its hash no longer
 * matches), a deleted or reordered one (sequence gap or previous-hash mismatch), or deleted newest events
 * (the chain head remembers the last link).
 */
export async function verifyChain(
  tenantId: string,
  events: AsyncIterable<AuditEvent>,
  head: ChainHead | null,
  options: {
    /**
     * Reads the head again. The chain may grow while it is walked (each event is appended with its head in one
     * transaction): the walk then stops at the head read first (the events after it are checked next time) — unless
     * no head read afterwards knows them either (rows added without their head: an error).
     */
    readHead?: (() => Promise<ChainHead | null>) | undefined;
    /** A link recorded outside earlier, which the chain must still hold unchanged. */
    checkpoint?: Checkpoint | undefined;
  } = {},
): Promise<VerifyReport> {
  const { readHead, checkpoint } = options;
  let expectedSeq = 1;
  let prevHash: Buffer = GENESIS_HASH;
  let checked = 0;
  const broken = (seq: number, reason: BrokenLinkReason): VerifyReport => ({
    tenantId,
    ok: false,
    checked,
    firstBroken: { seq, reason },
  });
  let beyond: number | undefined;
  for await (const event of events) {
    if (readHead && event.seq > (head?.lastSeq ?? 0)) {
      beyond = event.seq;
      break;
    }
    if (event.seq !== expectedSeq) return broken(expectedSeq, 'sequence_gap');
    if (!event.prevHash.equals(prevHash)) return broken(event.seq, 'prev_hash_mismatch');
    if (!hashEvent(event).equals(event.hash)) return broken(event.seq, 'hash_mismatch');
    if (checkpoint && event.seq === checkpoint.seq && event.hash.toString('hex') !== checkpoint.hash.toLowerCase())
      return broken(event.seq, 'checkpoint_mismatch');
    prevHash = event.hash;
    expectedSeq += 1;
    checked += 1;
  }
  const lastSeq = expectedSeq - 1;
  if ((head?.lastSeq ?? 0) !== lastSeq || !(head?.lastHash ?? GENESIS_HASH).equals(prevHash)) {
    return broken(lastSeq + 1, 'head_mismatch');
  }
  if (beyond !== undefined && readHead && ((await readHead())?.lastSeq ?? 0) < beyond)
    return broken(beyond, 'head_mismatch');
  if (checkpoint && lastSeq < checkpoint.seq) return broken(lastSeq + 1, 'checkpoint_missing');
  return {
    tenantId,
    ok: true,
    checked,
    ...(lastSeq > 0 ? { head: { seq: lastSeq, hash: prevHash.toString('hex') } } : {}),
  };
}
