import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  AuthChangeListener,
  authGeneration,
  MembershipRepository,
  createDatabase,
  noteAuthChange,
  withSqlTransaction,
  withTenant,
  type Database,
} from '../src/index.js';

// Changes that can end someone's access are announced when they commit (migration auth_change_notifications) and
// counted by every process's listener; the writes here go through a plain connection, as another process's would.

let owner: pg.Client;
let listener: AuthChangeListener;
let tenantId: string;
let userId: string;

async function settle(ms = 150): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once the generation moved past `from`; fails after 2 s. */
async function changedSince(from: number): Promise<number> {
  const started = Date.now();
  while (authGeneration() === from) {
    if (Date.now() - started > 2_000) throw new Error('no change was announced');
    await settle(5);
  }
  return Date.now() - started;
}

/** A new person (plain SQL), a member of the test tenant with `role` unless `role` is undefined. */
async function newPerson(label: string, role?: 'member' | 'admin'): Promise<string> {
  const id = (
    await owner.query<{ id: string }>(
      `INSERT INTO users (email, display_name, updated_at) VALUES ($1, $2, now()) RETURNING id`,
      [`${label.toLowerCase()}-${randomUUID()}@example.test`, label],
    )
  ).rows[0]!.id;
  if (role)
    await owner.query(`INSERT INTO memberships (tenant_id, user_id, role, updated_at) VALUES ($1, $2, $3, now())`, [
      tenantId,
      id,
      role,
    ]);
  return id;
}

beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_DATABASE_URL! });
  await owner.connect();
  // As the api does: the app role, which has no special rights.
  listener = new AuthChangeListener({ url: process.env.GATEHOUSE_TEST_APP_DATABASE_URL!, retryMs: 50 });
  await listener.start();
  tenantId = (
    await owner.query<{ id: string }>(
      `INSERT INTO tenants (slug, name, updated_at) VALUES ($1, 'Auth changes', now()) RETURNING id`,
      [`auth-${randomUUID().slice(0, 8)}`],
    )
  ).rows[0]!.id;
  userId = await newPerson('Auth');
});

afterAll(async () => {
  await listener.close();
  await owner.end();
});

describe('AuthChangeListener', () => {
  it('is live once listening', () => {
    expect(listener.live).toBe(true);
  });

  it('counts membership changes of any kind, within milliseconds of their commit', async () => {
    let from = authGeneration();
    await owner.query(
      `INSERT INTO memberships (tenant_id, user_id, role, updated_at) VALUES ($1, $2, 'admin', now())`,
      [tenantId, userId],
    );
    expect(await changedSince(from)).toBeLessThan(1_000);
    from = authGeneration();
    await owner.query(`UPDATE memberships SET role = 'member' WHERE tenant_id = $1 AND user_id = $2`, [
      tenantId,
      userId,
    ]);
    await changedSince(from);
    from = authGeneration();
    // A cascade counts too: deleting the user takes the membership along.
    const doomed = await newPerson('Doomed', 'member');
    await changedSince(from);
    await settle();
    from = authGeneration();
    await owner.query(`DELETE FROM users WHERE id = $1`, [doomed]);
    await changedSince(from);
  });

  it('counts access tokens and sign-in sessions updated or deleted, not new tokens or other kinds', async () => {
    const token = `sha256:${randomUUID()}`;
    await settle();
    let from = authGeneration();
    await owner.query(`INSERT INTO oauth_models (kind, id, payload) VALUES ('AccessToken', $1, '{}')`, [token]);
    await owner.query(`INSERT INTO oauth_models (kind, id, payload) VALUES ('Interaction', $1, '{}')`, [token]);
    await owner.query(`UPDATE oauth_models SET payload = '{"a":1}' WHERE kind = 'Interaction' AND id = $1`, [token]);
    await owner.query(`DELETE FROM oauth_models WHERE kind = 'Interaction' AND id = $1`, [token]);
    await settle();
    expect(authGeneration()).toBe(from);

    await owner.query(`UPDATE oauth_models SET payload = '{"exp":1}' WHERE kind = 'AccessToken' AND id = $1`, [token]);
    await changedSince(from);
    from = authGeneration();
    await owner.query(`DELETE FROM oauth_models WHERE kind = 'AccessToken' AND id = $1`, [token]);
    await changedSince(from);
    from = authGeneration();
    await owner.query(`INSERT INTO oauth_models (kind, id, uid, payload) VALUES ('Session', $1, $1, '{}')`, [token]);
    await settle();
    expect(authGeneration()).toBe(from);
    await owner.query(`DELETE FROM oauth_models WHERE kind = 'Session' AND uid = $1`, [token]);
    await changedSince(from);
  });

  it('counts what a tool call reads changing: a connection, its sealed tokens, an MCP server — not last-use bookkeeping', async () => {
    const person = await newPerson('Conn', 'member');
    const app = (
      await owner.query<{ id: string }>(
        `INSERT INTO provider_apps (tenant_id, provider_id, client_id, updated_at) VALUES ($1, 'demo', 'c', now())
         RETURNING id`,
        [tenantId],
      )
    ).rows[0]!.id;
    const server = (
      await owner.query<{ id: string }>(
        `INSERT INTO mcp_servers (tenant_id, slug, title, updated_at) VALUES ($1, $2, 'S', now()) RETURNING id`,
        [tenantId, `s-${randomUUID().slice(0, 8)}`],
      )
    ).rows[0]!.id;
    const connection = (
      await owner.query<{ id: string }>(
        `INSERT INTO connections (tenant_id, user_id, provider_app_id, provider_id, external_account_id, updated_at)
         VALUES ($1, $2, $3, 'demo', 'acct', now()) RETURNING id`,
        [tenantId, person, app],
      )
    ).rows[0]!.id;
    await settle();

    // Unannounced: a new connection (nobody without one is remembered), when it was last used, other secrets.
    let from = authGeneration();
    await owner.query(`UPDATE connections SET last_used_at = now(), updated_at = now() WHERE id = $1`, [connection]);
    await owner.query(
      `INSERT INTO secrets (tenant_id, owner, purpose, blob, dek_version) VALUES ($1, 'provider-app:x', 'client', '\\x00', 1)`,
      [tenantId],
    );
    await settle();
    expect(authGeneration()).toBe(from);

    await owner.query(`UPDATE connections SET status = 'needs_reauth' WHERE id = $1`, [connection]);
    await changedSince(from);
    from = authGeneration();
    await owner.query(
      `INSERT INTO secrets (tenant_id, owner, purpose, blob, dek_version) VALUES ($1, $2, 'oauth.tokens', '\\x00', 1)`,
      [tenantId, `connection:${connection}`],
    );
    await changedSince(from);
    from = authGeneration();
    await owner.query(`UPDATE secrets SET blob = '\\x01' WHERE tenant_id = $1 AND owner = $2`, [
      tenantId,
      `connection:${connection}`,
    ]);
    await changedSince(from);
    from = authGeneration();
    await owner.query(`UPDATE mcp_servers SET admin_only_tools = ARRAY['demo.create_note'] WHERE id = $1`, [server]);
    await changedSince(from);
    from = authGeneration();
    await owner.query(`DELETE FROM connections WHERE id = $1`, [connection]);
    await changedSince(from);
  });

  it('announces nothing for a change that is rolled back', async () => {
    await settle();
    const from = authGeneration();
    await owner.query('BEGIN');
    await owner.query(`UPDATE memberships SET role = 'owner' WHERE tenant_id = $1 AND user_id = $2`, [
      tenantId,
      userId,
    ]);
    await owner.query('ROLLBACK');
    await settle();
    expect(authGeneration()).toBe(from);
  });

  it("counts this process's own changes as they are made, before any notification", async () => {
    const db: Database = createDatabase({ url: process.env.GATEHOUSE_TEST_DATABASE_URL!, maxConnections: 1 });
    try {
      const from = authGeneration();
      await new MembershipRepository(db).updateRole(tenantId, userId, 'admin');
      // Synchronously after the write: no wait for PostgreSQL's notification.
      expect(authGeneration()).toBeGreaterThan(from);
    } finally {
      await db.$disconnect();
    }
  });

  it('counts a change made in a transaction once more when the transaction has ended', async () => {
    const db: Database = createDatabase({ url: process.env.GATEHOUSE_TEST_DATABASE_URL!, maxConnections: 1 });
    try {
      // Nothing announced is on its way (no write here: the notes are this process's own).
      await settle();
      let during = 0;
      await withTenant(db, tenantId, async () => {
        noteAuthChange();
        during = authGeneration();
      });
      expect(authGeneration()).toBe(during + 1);
      await withSqlTransaction(db, async () => {
        noteAuthChange();
        during = authGeneration();
      });
      expect(authGeneration()).toBe(during + 1);
      const quiet = authGeneration();
      await withTenant(db, tenantId, async () => undefined);
      expect(authGeneration()).toBe(quiet);
    } finally {
      await db.$disconnect();
    }
  });

  it('is not live while its connection is lost, and counts the loss and the return as changes', async () => {
    await settle();
    const from = authGeneration();
    await owner.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gatehouse-auth-changes'`,
    );
    const started = Date.now();
    while (listener.live || authGeneration() === from) {
      if (Date.now() - started > 2_000) throw new Error('the lost connection went unnoticed');
      await settle(5);
    }
    const lost = authGeneration();
    while (!listener.live) {
      if (Date.now() - started > 5_000) throw new Error('the listener did not reconnect');
      await settle(10);
    }
    expect(authGeneration()).toBeGreaterThan(lost);
    // And it hears announcements again.
    const after = authGeneration();
    await owner.query(`UPDATE memberships SET role = 'member' WHERE tenant_id = $1 AND user_id = $2`, [
      tenantId,
      userId,
    ]);
    await changedSince(after);
  });
});
