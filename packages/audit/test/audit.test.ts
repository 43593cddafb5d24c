import { randomUUID } from 'node:crypto';
import { AuditRepository, createDatabase, withTenant, type Database } from '@gatehouse/db';
import { testAppDatabaseUrl, testDatabaseUrl } from '@gatehouse/testing';
import { AuditLog, exportEvents, toolCallEvent, type AuditEventInput, type AuditStore } from '../src/index.js';

let owner: Database;
let app: Database;

beforeAll(() => {
  owner = createDatabase({ url: testDatabaseUrl(), maxConnections: 2 });
  app = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 8 });
});

afterAll(async () => {
  await Promise.all([owner.$disconnect(), app.$disconnect()]);
});

const store = () => new AuditRepository(app) as AuditStore<unknown>;
const event = (tenantId: string, i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  tenantId,
  actor: { type: 'user', id: `user-${i % 3}` },
  action: i % 2 === 0 ? 'member.invited' : 'api_key.created',
  target: { type: 'thing', id: `t-${i}` },
  outcome: i % 5 === 0 ? 'failure' : 'success',
  requestId: `req-${i}`,
  metadata: { i },
  ...extra,
});

async function chainWith(n: number): Promise<{ tenantId: string; log: AuditLog }> {
  const tenantId = randomUUID();
  const log = new AuditLog(store());
  for (let i = 1; i <= n; i += 1) await log.record(event(tenantId, i));
  return { tenantId, log };
}

describe('AuditLog on PostgreSQL', () => {
  it('keeps one valid chain under a burst of concurrent writes from two processes', async () => {
    const tenantId = randomUUID();
    const processes = [new AuditLog(store(), { maxBatch: 50 }), new AuditLog(store(), { maxBatch: 50 })];
    const written = await Promise.all(
      Array.from({ length: 400 }, (_, i) => processes[i % 2]!.record(event(tenantId, i))),
    );
    expect(new Set(written.map((e) => e.seq)).size).toBe(400);
    expect(Math.max(...written.map((e) => e.seq))).toBe(400);
    await expect(processes[0]!.verify(tenantId)).resolves.toMatchObject({ tenantId, ok: true, checked: 400 });
  });

  it('stores what clients choose as it can be stored: lone surrogates, NUL, pairs cut in two — and the chain verifies', async () => {
    const tenantId = randomUUID();
    const log = new AuditLog(store());
    const odd = ['\ud800', 'x\udfff', 'nul\u0000here', `${'a'.repeat(199)}😀`, '😀'.repeat(1_500)];
    for (const [i, text] of odd.entries())
      await log.record(
        event(tenantId, i, {
          action: `mcp.${text}`,
          actor: { type: 'user', id: text },
          target: { type: 'tool', id: text },
          metadata: { method: text, [text]: 'as a key', nested: { tool: text } },
        }),
      );
    await expect(log.verify(tenantId)).resolves.toMatchObject({ tenantId, ok: true, checked: odd.length });
  });

  it('a record the database refuses fails alone: the others written in the same batch are kept', async () => {
    const tenantId = randomUUID();
    const log = new AuditLog(store());
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        // Not an outcome the table allows (a CHECK constraint): refused by PostgreSQL itself.
        log.record(event(tenantId, i, i === 4 ? { outcome: 'bogus' as AuditEventInput['outcome'] } : {})),
      ),
    );
    expect(results.map((result) => result.status)).toEqual([
      ...Array.from({ length: 4 }, () => 'fulfilled'),
      'rejected',
      ...Array.from({ length: 4 }, () => 'fulfilled'),
    ]);
    await expect(log.verify(tenantId)).resolves.toMatchObject({ tenantId, ok: true, checked: 8 });
  });

  it('detects an edited event', async () => {
    const { tenantId, log } = await chainWith(6);
    await owner.$executeRaw`UPDATE audit_events SET outcome = 'success', metadata = '{"i": 99}' WHERE tenant_id = ${tenantId}::uuid AND seq = 4`;
    expect((await log.verify(tenantId)).firstBroken).toEqual({ seq: 4, reason: 'hash_mismatch' });
  });

  it('detects a deleted event', async () => {
    const { tenantId, log } = await chainWith(6);
    await owner.$executeRaw`DELETE FROM audit_events WHERE tenant_id = ${tenantId}::uuid AND seq = 3`;
    expect((await log.verify(tenantId)).firstBroken).toEqual({ seq: 3, reason: 'sequence_gap' });
  });

  it('detects reordered events', async () => {
    const { tenantId, log } = await chainWith(6);
    // Swap events 2 and 5 (through a spare sequence number: the primary key is checked row by row).
    await owner.$transaction([
      owner.$executeRaw`UPDATE audit_events SET seq = 1000 WHERE tenant_id = ${tenantId}::uuid AND seq = 2`,
      owner.$executeRaw`UPDATE audit_events SET seq = 2 WHERE tenant_id = ${tenantId}::uuid AND seq = 5`,
      owner.$executeRaw`UPDATE audit_events SET seq = 5 WHERE tenant_id = ${tenantId}::uuid AND seq = 1000`,
    ]);
    expect((await log.verify(tenantId)).firstBroken).toEqual({ seq: 2, reason: 'prev_hash_mismatch' });
  });

  it('detects deletion of the newest event', async () => {
    const { tenantId, log } = await chainWith(4);
    await owner.$executeRaw`DELETE FROM audit_events WHERE tenant_id = ${tenantId}::uuid AND seq = 4`;
    expect((await log.verify(tenantId)).firstBroken).toEqual({ seq: 4, reason: 'head_mismatch' });
  });

  it('is append-only for the application role', async () => {
    const { tenantId } = await chainWith(1);
    await expect(
      withTenant(app, tenantId, (tx) => tx.$executeRaw`UPDATE audit_events SET outcome = 'failure'`),
    ).rejects.toThrow(/permission denied/);
    await expect(withTenant(app, tenantId, (tx) => tx.$executeRaw`DELETE FROM audit_events`)).rejects.toThrow(
      /permission denied/,
    );
  });

  it('fails closed: an action and its record commit together or not at all', async () => {
    const tenantId = randomUUID();
    const log = new AuditLog(new AuditRepository(app));
    await expect(
      withTenant(app, tenantId, async (tx) => {
        await log.recordInTransaction(tx, [event(tenantId, 1)]);
        throw new Error('the action failed after its record was written');
      }),
    ).rejects.toThrow('the action failed');
    expect(await new AuditRepository(app).head(tenantId)).toBeNull();

    // And a record that cannot be written rejects its caller.
    const broken = new AuditLog(new AuditRepository(app));
    await expect(
      broken.record(event(tenantId, 2, { action: 'x'.repeat(10), tenantId: 'not-a-uuid' })),
    ).rejects.toThrow();
  });

  it('lists newest first with filters and a cursor', async () => {
    const { tenantId } = await chainWith(12);
    const repo = new AuditRepository(app);
    const first = await repo.list(tenantId, { action: 'member.invited' }, { limit: 4 });
    expect(first.events.map((e) => e.seq)).toEqual([12, 10, 8, 6]);
    const second = await repo.list(tenantId, { action: 'member.invited' }, { limit: 4, before: first.nextCursor! });
    expect(second.events.map((e) => e.seq)).toEqual([4, 2]);
    expect(second.nextCursor).toBeNull();
    const failures = await repo.list(tenantId, { outcome: 'failure' }, { limit: 10 });
    expect(failures.events.map((e) => e.seq)).toEqual([10, 5]);
  });

  it('exports CSV and JSON Lines, streamed page by page', async () => {
    const { tenantId } = await chainWith(5);
    const chunks: string[] = [];
    for await (const chunk of exportEvents(store(), tenantId, {}, 'csv', 2)) chunks.push(chunk);
    const lines = chunks.join('').trim().split('\n');
    expect(lines[0]).toBe(
      'seq,occurred_at,actor_type,actor_id,action,target_type,target_id,outcome,request_id,trace_id,metadata,hash',
    );
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^5,/);
    const jsonl: string[] = [];
    for await (const chunk of exportEvents(store(), tenantId, { actorId: 'user-1' }, 'jsonl')) jsonl.push(chunk);
    const parsed = jsonl.map((line) => JSON.parse(line) as { seq: number; actorId: string });
    expect(parsed.map((e) => e.seq)).toEqual([4, 1]);
  });
});

describe('toolCallEvent', () => {
  it("keeps a client id whole up to OAuth's 2048 characters, so a filter by client finds the call", () => {
    const clientId = `https://app.example/${'c'.repeat(1000)}`;
    const event = toolCallEvent({
      tenantId: randomUUID(),
      userId: randomUUID(),
      clientId,
      serverId: randomUUID(),
      tool: 'demo.list_notes',
      version: '1',
      provider: 'demo',
      argumentsDigest: undefined,
      result: 'succeeded',
      latencyMs: 3,
    });
    expect(event.metadata?.['clientId']).toBe(clientId);
  });
});
