// Vault decrypt (cached data key) and audit append throughput, each beside its baseline measured in the same run:
//   - a plain AES-256-GCM decrypt loop over the same payload size;
//   - a plain single-row INSERT loop into a table of the same shape, on the same database.
// Usage: pnpm bench   (needs PostgreSQL as in .env; creates and drops its own database)
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { AuditLog } from '@gatehouse/audit';
import { AuditRepository, createDatabase, DataKeyRepository, SecretRepository, TenantRepository } from '@gatehouse/db';
import { LocalKeyring, Vault } from '@gatehouse/vault';
import pg from 'pg';
import { environment, machine, row, throughput, benchDatabase } from './lib.mjs';

const DECRYPTS = Number(process.env.BENCH_DECRYPTS ?? 200_000);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const env = environment();
const scratch = await benchDatabase(env, 'bench');
const owner = createDatabase({ url: scratch.url, maxConnections: 2 });
const app = createDatabase({ url: scratch.appUrl, maxConnections: CONCURRENCY });
try {
  console.log(`Gatehouse benchmark: vault and audit — ${machine()}`);
  const tenantId = (
    await new TenantRepository(owner).create({ slug: `bench-${randomUUID().slice(0, 8)}`, name: 'Bench' })
  ).id;

  // --- vault decrypt ----------------------------------------------------------------------------------------
  const vault = new Vault(
    LocalKeyring.parse(`v1:${randomBytes(32).toString('base64')}`),
    new DataKeyRepository(app),
    new SecretRepository(app),
  );
  const context = { tenantId, owner: 'connection:bench', purpose: 'oauth.access_token' };
  const secret = Buffer.from(randomBytes(48).toString('base64url')); // a token-sized secret (64 bytes)
  const blob = await vault.encrypt(context, secret);
  await vault.decrypt(context, blob); // warm the data key cache

  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  const tag = cipher.getAuthTag();
  const plainDecrypt = () => {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  };
  for (let i = 0; i < 10_000; i += 1) plainDecrypt(); // JIT warm-up for both
  for (let i = 0; i < 10_000; i += 1) await vault.decrypt(context, blob);

  const plainRate = await throughput(DECRYPTS, 1, async () => plainDecrypt());
  const vaultRate = await throughput(DECRYPTS, 1, () => vault.decrypt(context, blob));
  console.log(`\nDecrypt a 64-byte secret (${DECRYPTS.toLocaleString('en-US')} operations, one at a time)`);
  console.log(row('baseline: plain AES-256-GCM decrypt', plainRate));
  console.log(row('vault.decrypt (cached data key, AAD-bound blob)', vaultRate, plainRate));

  // --- audit append -----------------------------------------------------------------------------------------
  const plain = new pg.Pool({ connectionString: scratch.url, max: CONCURRENCY });
  await plain.query(`CREATE TABLE bench_plain_events (LIKE audit_events INCLUDING DEFAULTS)`);
  let plainSeq = 0;
  const insertPlain = () =>
    plain.query(
      `INSERT INTO bench_plain_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, outcome, metadata, prev_hash, hash)
       VALUES ($1, $2, now(), 'user', 'u1', 'bench.event', 'success', '{"i":1}', $3, $3)`,
      [tenantId, ++plainSeq, Buffer.alloc(32)],
    );
  const log = new AuditLog(new AuditRepository(app));
  const record = (i) =>
    log.record({
      tenantId,
      actor: { type: 'user', id: 'u1' },
      action: 'bench.event',
      outcome: 'success',
      metadata: { i },
    });
  await record(0);

  const insertSequential = await throughput(APPENDS, 1, insertPlain);
  const insertConcurrent = await throughput(APPENDS, CONCURRENCY, insertPlain);
  const auditSequential = await throughput(Math.min(APPENDS, 2_000), 1, record);
  const auditConcurrent = await throughput(APPENDS, CONCURRENCY, record);
  console.log(
    `\nAppend an audit event (${APPENDS.toLocaleString('en-US')} events; concurrency ${CONCURRENCY} where stated)`,
  );
  console.log(row('baseline: plain single-row INSERT loop, 1 at a time', insertSequential));
  console.log(row('audit.record, 1 at a time (own transaction + chain lock)', auditSequential, insertSequential));
  console.log(row(`baseline: plain single-row INSERTs, ${CONCURRENCY} in flight`, insertConcurrent));
  console.log(row(`audit.record, ${CONCURRENCY} in flight (group commit)`, auditConcurrent, insertConcurrent));
  const report = await log.verify(tenantId);
  console.log(
    `\nchain after the run: ${report.ok ? 'valid' : 'BROKEN'} (${report.checked.toLocaleString('en-US')} events verified)`,
  );
  await plain.end();
} finally {
  await Promise.all([owner.$disconnect(), app.$disconnect()]);
  await scratch.drop();
}
