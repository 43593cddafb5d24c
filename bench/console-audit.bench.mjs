// The console's audit table over a long history: 1,000,000 audit events of one tenant, seeded with one
// INSERT … SELECT generate_series into a scratch database, then the first page and the next page (keyset cursor) of
// /t/{slug}/audit rendered by the web server (built api and web processes), each beside its baseline measured in the
// same run: the api's own GET /api/v1/tenants/{slug}/audit for the same page. Also a filtered first page (one
// tool) and the usage page, which aggregates the last 14 days of tool calls.
// Usage: npm run bench -- console-audit   (needs PostgreSQL and Redis as in .env; creates and drops its own database)
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { environment, freePort, machine, start, until, benchDatabase, stackEnv } from './lib.mjs';

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);

const env = environment();
const scratch = await benchDatabase(env, 'bench');
const processes = [];

/** Milliseconds for `fn` (which must read the whole answer), `SAMPLES` times after 3 warm-ups: p50 and p95. */
async function timed(fn) {
  for (let i = 0; i < 3; i++) await fn();
  const samples = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p95: at(0.95) };
}

function line(label, result, baseline) {
  const ratio = baseline ? `  (${(result.p50 / baseline.p50).toFixed(2)}× the api alone)` : '';
  return `  ${label.padEnd(58)} p50 ${result.p50.toFixed(1).padStart(7)} ms  p95 ${result.p95.toFixed(1).padStart(7)} ms${ratio}`;
}

async function read(url, headers, expect) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200 || (expect && !text.includes(expect)))
    throw new Error(`${url}: ${response.status} ${text.slice(0, 300)}`);
  return text;
}

try {
  console.log(`Gatehouse benchmark: the console's audit table — ${machine()}`);
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const common = { PATH: process.env.PATH, LOG_LEVEL: 'warn', NEXT_TELEMETRY_DISABLED: '1' };
  const api = start('api', [join(import.meta.dirname, '..', 'apps', 'api', 'dist', 'main.js')], {
    ...stackEnv(env, scratch, apiUrl),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    PUBLIC_WEB_URL: webUrl,
  });
  const web = start(
    'web',
    [
      join(import.meta.dirname, '..', 'apps', 'web', 'node_modules', 'next', 'dist', 'bin', 'next'),
      'start',
      join(import.meta.dirname, '..', 'apps', 'web'),
      '-p',
      String(webPort),
      '-H',
      '127.0.0.1',
    ],
    { ...common, NODE_ENV: 'production', API_INTERNAL_URL: apiUrl, PUBLIC_API_URL: apiUrl },
  );
  processes.push(api, web);
  for (const [name, url, process] of [
    ['api', `${apiUrl}/readyz`, api],
    ['web', `${webUrl}/healthz`, web],
  ]) {
    await until(name, async () => ((await fetch(url)).status === 200 ? true : undefined)).catch((error) => {
      throw new Error(`${error.message}\n${process.output()}`);
    });
  }

  // An owner and a tenant, through the api.
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const signUp = await fetch(`${apiUrl}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: randomBytes(12).toString('base64url'), displayName: 'Bench' }),
  });
  const session = await signUp.json();
  const cookie = signUp.headers.get('set-cookie').split(';')[0];
  const slug = `bench-${randomBytes(3).toString('hex')}`;
  const created = await fetch(`${apiUrl}/api/v1/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ slug, name: 'Bench' }),
  });
  const tenantId = (await created.json()).id;

  // 1,000,000 events in one statement (as the database owner, in the tenant's scope): tool calls of four tools
  // (a fifth of them MCP requests), one every two seconds up to now, some denied or rate-limited. Their hashes are
  // not a valid chain: verification is not what is measured here.
  const owner = new pg.Client({ connectionString: scratch.url });
  await owner.connect();
  const seeding = performance.now();
  await owner.query('BEGIN');
  await owner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
  const [{ last_seq: base }] = (
    await owner.query('SELECT last_seq FROM audit_chain_heads WHERE tenant_id = $1', [tenantId])
  ).rows;
  await owner.query(
    `INSERT INTO audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
                               outcome, request_id, trace_id, metadata, prev_hash, hash)
     SELECT $1::uuid, $2::bigint + g, now() - (($3::int - g) * interval '2 seconds'), 'user', $4,
            CASE WHEN g % 5 = 0 THEN 'mcp.request' ELSE 'tool.call' END, 'tool',
            (ARRAY['demo.list_notes', 'demo.get_note', 'demo.create_note', 'demo.export_notes'])[g % 4 + 1],
            CASE WHEN g % 97 = 0 THEN 'denied' ELSE 'success' END, md5(g::text), NULL,
            jsonb_build_object('tool', (ARRAY['demo.list_notes', 'demo.get_note', 'demo.create_note',
                                              'demo.export_notes'])[g % 4 + 1],
                               'result', CASE WHEN g % 97 = 0 THEN 'rate_limited' ELSE 'succeeded' END,
                               'limit', 'user', 'latencyMs', 20 + (g::bigint * 7919) % 400,
                               'clientId', CASE WHEN g % 10000 = 0 THEN 'rare-client' ELSE 'bench-client' END),
            '\\x00'::bytea, sha256(g::text::bytea)
     FROM generate_series(1, $3::int) AS g`,
    [tenantId, base, EVENTS, session.user.id],
  );
  await owner.query('UPDATE audit_chain_heads SET last_seq = $2 WHERE tenant_id = $1', [
    tenantId,
    Number(base) + EVENTS,
  ]);
  await owner.query('COMMIT');
  await owner.query('ANALYZE audit_events');
  await owner.end();
  console.log(
    `\nseeded ${EVENTS.toLocaleString('en-US')} audit events in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );

  const headers = { cookie };
  const first = await read(`${webUrl}/t/${slug}/audit`, headers, 'audit-table');
  const older = /href="(\/t\/[^"]+\/audit\?before=(\d+))"/.exec(first);
  if (!older) throw new Error('the first page links no older page');
  const nextPage = older[1].replace(/&amp;/g, '&');
  const cursor = older[2];
  const deepCursor = String(Math.floor(Number(base) + EVENTS / 2));

  const apiFirst = await timed(() => read(`${apiUrl}/api/v1/tenants/${slug}/audit?limit=50`, headers));
  const webFirst = await timed(() => read(`${webUrl}/t/${slug}/audit`, headers, 'audit-table'));
  const apiNext = await timed(() => read(`${apiUrl}/api/v1/tenants/${slug}/audit?limit=50&before=${cursor}`, headers));
  const webNext = await timed(() => read(`${webUrl}${nextPage}`, headers, 'audit-table'));
  const apiDeep = await timed(() =>
    read(`${apiUrl}/api/v1/tenants/${slug}/audit?limit=50&before=${deepCursor}`, headers),
  );
  const webDeep = await timed(() => read(`${webUrl}/t/${slug}/audit?before=${deepCursor}`, headers, 'audit-table'));
  const apiTool = await timed(() =>
    read(`${apiUrl}/api/v1/tenants/${slug}/audit?limit=50&tool=demo.get_note`, headers),
  );
  const webTool = await timed(() => read(`${webUrl}/t/${slug}/audit?tool=demo.get_note`, headers, 'audit-table'));
  const apiClient = await timed(() =>
    read(`${apiUrl}/api/v1/tenants/${slug}/audit?limit=50&client=rare-client`, headers),
  );
  const webClient = await timed(() => read(`${webUrl}/t/${slug}/audit?client=rare-client`, headers, 'audit-table'));
  const apiUsage = await timed(() => read(`${apiUrl}/api/v1/tenants/${slug}/usage`, headers));
  const webUsage = await timed(() => read(`${webUrl}/t/${slug}/usage`, headers, 'usage-total'));

  console.log(
    `\nAudit table, 50 events a page, over ${EVENTS.toLocaleString('en-US')} events (${SAMPLES} samples each)`,
  );
  console.log(line('baseline: api GET …/audit, first page', apiFirst));
  console.log(line('console /t/{slug}/audit, first page (rendered HTML)', webFirst, apiFirst));
  console.log(line('baseline: api GET …/audit?before=cursor, next page', apiNext));
  console.log(line('console, next page', webNext, apiNext));
  console.log(line(`baseline: api, a page half-way back (event ${(EVENTS / 2).toLocaleString('en-US')})`, apiDeep));
  console.log(line('console, a page half-way back', webDeep, apiDeep));
  console.log(line('baseline: api, first page filtered by one tool', apiTool));
  console.log(line('console, first page filtered by one tool', webTool, apiTool));
  console.log(line('baseline: api, first page of a rare client (1 in 10,000)', apiClient));
  console.log(line('console, first page of a rare client', webClient, apiClient));
  console.log(`\nUsage (last 14 days of tool calls aggregated from the same events)`);
  console.log(line('baseline: api GET …/usage', apiUsage));
  console.log(line('console /t/{slug}/usage (rendered HTML)', webUsage, apiUsage));
} finally {
  for (const { child } of processes) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await scratch.drop();
}
