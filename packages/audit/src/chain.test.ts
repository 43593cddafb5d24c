import { canonicalJson, link, verifyChain } from './chain.js';
import type { AuditEvent, AuditEventInput } from './event.js';
import { redactMetadata } from './redact.js';
import { argumentsDigester, canonicalDigest } from './tool-call.js';

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
    await expect(verifyChain(tenantId, from(all), headOf(all))).resolves.toEqual({
      tenantId,
      ok: true,
      checked: 5,
      head: { seq: 5, hash: all[4]!.hash.toString('hex') },
    });
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
    const report = await verifyChain(tenantId, from(events), headOf(events.slice(0, 3)), {
      readHead: async () => headOf(events),
    });
    expect(report).toMatchObject({ tenantId, ok: true, checked: 3, head: { seq: 3 } });
    // The fresh head may already know events the walk's last page did not hold: still a healthy chain.
    const later = [...events, ...link([input(7)], headOf(events))];
    expect(
      await verifyChain(tenantId, from(events.slice(0, 4)), headOf(events.slice(0, 3)), {
        readHead: async () => headOf(later),
      }),
    ).toMatchObject({
      tenantId,
      ok: true,
      checked: 3,
    });
  });

  it('still reports an event past a fresh head (a row inserted without its head) and deleted newest events', async () => {
    const events = chain(5);
    const stale = headOf(events.slice(0, 4));
    expect((await verifyChain(tenantId, from(events), stale, { readHead: async () => stale })).firstBroken).toEqual({
      seq: 5,
      reason: 'head_mismatch',
    });
    expect(
      (await verifyChain(tenantId, from(events.slice(0, 3)), headOf(events), { readHead: async () => headOf(events) }))
        .firstBroken,
    ).toEqual({ seq: 4, reason: 'head_mismatch' });
  });
});

describe('verifyChain against a checkpoint kept outside the database', () => {
  it('holds while the chain still has that event unchanged, and after it has grown', async () => {
    const events = chain(4);
    const checkpoint = { seq: 3, hash: events[2]!.hash.toString('hex') };
    expect(await verifyChain(tenantId, from(events), headOf(events), { checkpoint })).toMatchObject({ ok: true });
  });

  it('catches the newest events removed with the head rewound, and a chain rewritten from some event on', async () => {
    const events = chain(5);
    const checkpoint = { seq: 5, hash: events[4]!.hash.toString('hex') };
    // Events 4 and 5 deleted and the head set back to 3: consistent in itself, invisible without the checkpoint.
    const truncated = events.slice(0, 3);
    expect((await verifyChain(tenantId, from(truncated), headOf(truncated))).ok).toBe(true);
    expect((await verifyChain(tenantId, from(truncated), headOf(truncated), { checkpoint })).firstBroken).toEqual({
      seq: 4,
      reason: 'checkpoint_missing',
    });
    // Event 3 changed and every hash from there recomputed (with the head): only the checkpoint tells.
    const rewritten = link(
      [input(3), input(4), input(5)].map((event) => ({ ...event, outcome: 'failure' as const })),
      headOf(events.slice(0, 2)),
    );
    const forged = [...events.slice(0, 2), ...rewritten];
    expect((await verifyChain(tenantId, from(forged), headOf(forged))).ok).toBe(true);
    expect(
      (
        await verifyChain(tenantId, from(forged), headOf(forged), {
          checkpoint: { seq: 3, hash: events[2]!.hash.toString('hex') },
        })
      ).firstBroken,
    ).toEqual({ seq: 3, reason: 'checkpoint_mismatch' });
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

  it('keeps flags and words that only start with "pass" or are bypass; redacts every other value under a secret-looking key', () => {
    expect(
      redactMetadata({
        secretChanged: true,
        refreshToken: false,
        sessionId: null,
        bypass: 'cache',
        passed: 3,
        compass: 'north',
        pass: 'x',
        pass_hash: 'y',
        userPass: 'z',
        USER_PASS: 'w',
        passwd: 'v',
        passcode: 'u',
        passkey: 't',
        dbpass: 's',
        BYPASS: 'r',
        tokenCount: 2,
      }),
    ).toEqual({
      secretChanged: true,
      refreshToken: false,
      sessionId: null,
      bypass: 'cache',
      passed: 3,
      // Ends in "pass" like dbpass: withheld too (erring towards secrecy).
      compass: '[redacted]',
      pass: '[redacted]',
      pass_hash: '[redacted]',
      userPass: '[redacted]',
      USER_PASS: '[redacted]',
      passwd: '[redacted]',
      passcode: '[redacted]',
      passkey: '[redacted]',
      dbpass: '[redacted]',
      BYPASS: 'r',
      tokenCount: '[redacted]',
    });
  });

  it('is applied before hashing, so no secret reaches the chain', () => {
    const [event] = link([{ ...input(1), metadata: { refreshToken: 'canary-refresh' } }], null);
    expect(JSON.stringify(event!.metadata)).not.toContain('canary-refresh');
  });
});

describe('argumentsDigester', () => {
  it('keys digests per deployment and tenant: equal arguments agree within a tenant, nothing else does', () => {
    const digest = argumentsDigester(Buffer.alloc(32, 1));
    const [a, b] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    const args = { to: 'someone@example.com', subject: 'hi' };
    expect(digest(a, args)).toMatch(/^[0-9a-f]{64}$/);
    // Key order does not matter (canonical JSON); the tenant and the deployment's secret do.
    expect(digest(a, { subject: 'hi', to: 'someone@example.com' })).toBe(digest(a, args));
    expect(digest(b, args)).not.toBe(digest(a, args));
    expect(argumentsDigester(Buffer.alloc(32, 2))(a, args)).not.toBe(digest(a, args));
    expect(digest(a, args)).not.toBe(canonicalDigest(args));
  });
});
