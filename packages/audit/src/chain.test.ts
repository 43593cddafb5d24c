import { canonicalJson, link, verifyChain } from './chain.js';
import type { AuditEvent, AuditEventInput } from './event.js';
import { redactMetadata } from './redact.js';

const tenantId = '11111111-1111-4111-8111-111111111111';
const input = (i: number): AuditEventInput => ({
  tenantId,
  actor: { type: 'user', id: `user-${i}` },
  action: 'member.invited',
  target: { type: 'invitation', id: `inv-${i}` },
  outcome: 'success',
  metadata: { index: i },
  occurredAt: new Date(1_700_000_000_000 + i),
});

async function* from(events: AuditEvent[]) {
  yield* events;
}

function chain(n: number): AuditEvent[] {
  return link(
    Array.from({ length: n }, (_, i) => input(i + 1)),
    null,
  );
}

const headOf = (events: AuditEvent[]) => ({ lastSeq: events.at(-1)!.seq, lastHash: events.at(-1)!.hash });

describe('canonicalJson', () => {
  it('is independent of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe(canonicalJson({ a: [{ c: null, d: 2 }], b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});

describe('link and verifyChain', () => {
  it('continues an existing chain and verifies', async () => {
    const first = chain(3);
    const more = link([input(4), input(5)], headOf(first));
    expect(more.map((e) => e.seq)).toEqual([4, 5]);
    expect(more[0]!.prevHash.equals(first[2]!.hash)).toBe(true);
    const all = [...first, ...more];
    await expect(verifyChain(tenantId, from(all), headOf(all))).resolves.toEqual({ tenantId, ok: true, checked: 5 });
  });

  it('detects an edited event', async () => {
    const events = chain(5);
    events[2] = { ...events[2]!, outcome: 'failure' };
    expect((await verifyChain(tenantId, from(events), headOf(events))).firstBroken).toEqual({
      seq: 3,
      reason: 'hash_mismatch',
    });
  });

  it('detects a deleted event', async () => {
    const events = chain(5);
    events.splice(1, 1);
    expect((await verifyChain(tenantId, from(events), headOf(events))).firstBroken).toEqual({
      seq: 2,
      reason: 'sequence_gap',
    });
  });

  it('detects reordering even when sequence numbers are rewritten to look contiguous', async () => {
    const events = chain(4);
    const swapped = [events[0]!, { ...events[2]!, seq: 2 }, { ...events[1]!, seq: 3 }, events[3]!];
    expect((await verifyChain(tenantId, from(swapped), headOf(events))).firstBroken).toEqual({
      seq: 2,
      reason: 'prev_hash_mismatch',
    });
  });

  it('detects deletion of the newest events through the chain head', async () => {
    const events = chain(4);
    const head = headOf(events);
    expect((await verifyChain(tenantId, from(events.slice(0, 3)), head)).firstBroken).toEqual({
      seq: 4,
      reason: 'head_mismatch',
    });
  });
});

describe('verifyChain while the chain grows', () => {
  it('stops at the head read first when the chain grows during the walk, instead of calling it broken', async () => {
    const events = chain(6);
    // The head was read when the chain had 3 events; 3 more were appended (with their head) before the walk saw them.
    const report = await verifyChain(tenantId, from(events), headOf(events.slice(0, 3)), async () => headOf(events));
    expect(report).toEqual({ tenantId, ok: true, checked: 3 });
    // The fresh head may already know events the walk's last page did not hold: still a healthy chain.
    const later = [...events, ...link([input(7)], headOf(events))];
    expect(
      await verifyChain(tenantId, from(events.slice(0, 4)), headOf(events.slice(0, 3)), async () => headOf(later)),
    ).toEqual({
      tenantId,
      ok: true,
      checked: 3,
    });
  });

  it('still reports an event past a fresh head (a row inserted without its head) and deleted newest events', async () => {
    const events = chain(5);
    const stale = headOf(events.slice(0, 4));
    expect((await verifyChain(tenantId, from(events), stale, async () => stale)).firstBroken).toEqual({
      seq: 5,
      reason: 'head_mismatch',
    });
    expect(
      (await verifyChain(tenantId, from(events.slice(0, 3)), headOf(events), async () => headOf(events))).firstBroken,
    ).toEqual({ seq: 4, reason: 'head_mismatch' });
  });
});

describe('redactMetadata', () => {
  it('redacts secret-looking keys at any depth and keeps the rest', () => {
    const redacted = redactMetadata({
      email: 'a@example.com',
      password: 'hunter2',
      nested: { accessToken: 'gho_x', headers: { Authorization: 'Bearer y', accept: 'json' } },
      list: [{ client_secret: 'z' }],
    });
    expect(redacted).toEqual({
      email: 'a@example.com',
      password: '[redacted]',
      nested: { accessToken: '[redacted]', headers: { Authorization: '[redacted]', accept: 'json' } },
      list: [{ client_secret: '[redacted]' }],
    });
  });

  it('is applied before hashing, so no secret reaches the chain', () => {
    const [event] = link([{ ...input(1), metadata: { refreshToken: 'canary-refresh' } }], null);
    expect(JSON.stringify(event!.metadata)).not.toContain('canary-refresh');
  });
});
