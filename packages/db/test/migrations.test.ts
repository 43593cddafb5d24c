import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const MIGRATIONS = join(import.meta.dirname, '../../../prisma/migrations');

/**
 * Every migration as it shipped. Prisma never runs an applied migration again, so editing one leaves databases that
 * ran its earlier form different from fresh ones, silently. A change is a new migration; this list only grows.
 */
const SHIPPED: Record<string, string> = {
  '20261129000000_tenancy_core': 'd0e153ebd3cd5c3391b861dd862731adb12d0cfd7ab54458b86e1cef7a22786c',
  '20261129010000_roles_rls_vault': 'fca4832bfb1c8eab313dbca0b9a790e0ae2b7e76de45070ef334e51e50cfcea8',
  '20261129020000_audit_log': '86ff11f53c5e56e1d1f45c3d4f62c1dfc2fd30519030df8f8f5bf1cb700d99d0',
  '20261130000000_user_passwords': 'fb98390b089c56e717d2f3663396c6cc5869b4ea99605432a859b853af2899fa',
  '20261130010000_tenancy_admin': '7a7391c354852f746f6e20db27d93b20ec72aceb2064d54063875c6c1ab543a6',
  '20261130020000_mcp_servers': '61f94b204943b20a7b7177624e39d6dc3299ef471d1d13b9a2c1926a37effc73',
  '20261201000000_oauth': '730997180c935696d46934d877b1658486a7465651d0e93655ce5dbdf850c9dc',
  '20261202000000_provider_apps': 'db10ecf7bd546ab2837cae40ba49eec63a2a2b944e72535e21fde6d42b13d82d',
  '20261203000000_connections': '4580f1899673e4cc3d62fb9ac934294fade462ea112c4697152540a85718fb0d',
  '20261204000000_tool_limits': '268b39f705dbea002a5fdaaa80f5d98e2509321a8a2ca1ed7f3fc7df9fee84a0',
  '20261205000000_tool_versions': '8963c429d73e8cdb7687f9387797992129cca85100c84f6993dae225ecc3dfb3',
  '20261206000000_hot_path_functions': 'bf15ad0c748c89ceb47000da3cbde03530904755197ec6d3a40af2a26af38edd',
  '20261207000000_admin_only_tools': '784240b6db9fdb9a5ac0160b177f180ba3261bc09c3b7a9746299af4bbbe1b5a',
  '20261208000000_console_audit_indexes': 'd1f44d9072fb144b97b8a38f5aa68d7caebca48faf22536c268fdd51cdaca74a',
  '20261209000000_hot_path_single_round_trips': '0839f3f3ca8a3e2d011678be50105522fb6d26c2e4b549de83e66b7c8cdf5ecf',
  '20261210000000_auth_change_notifications': '61f101e0a364ebaf0391c442547d402eb694c6ba481542ff5b711b65229e7d0f',
  '20261211000000_connection_change_notifications': '54adfd74fec0af79511fb6642c2a7ff9e02ebdc062338017c101682eb43dac9e',
  '20261212000000_tenant_row_security': '2cc200a4abfd3a58f933be0a6077e25b805132b86ec0a4297b1ddbad82650055',
  '20261213000000_secrets_need_their_owner': '1ebf5e4c3dafad2b6c34e78df6714955befcae04f972a87a6086b9efe5ffdf33',
  '20261213000001_orphaned_secrets': '41ac6f9acfffe572cbc99822d27e85350eb10ad27f18f5bb501d4da44377024d',
  '20261214000000_maintenance_reads_only': '9f5003478e5df6a4d903e0c90b23f193d1e11748524d20a4e16b2281aec40c20',
  '20261214000001_converge_and_scope_secret_cleanup':
    'bff3d8fb09c876a915f4a8ba74a4b658e4e625147e7df445e3b3d20274f62b6e',
};

const digestOf = (name: string) =>
  createHash('sha256')
    .update(readFileSync(join(MIGRATIONS, name, 'migration.sql')))
    .digest('hex');

describe('migrations', () => {
  it('are never edited once shipped, and every one is listed here', () => {
    const present = readdirSync(MIGRATIONS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(present).toEqual(Object.keys(SHIPPED).sort());
    for (const name of present) expect({ name, digest: digestOf(name) }).toEqual({ name, digest: SHIPPED[name] });
  });

  it("bring a database that ran a migration's earlier form to what it says now", async () => {
    const client = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_DATABASE_URL! });
    await client.connect();
    try {
      const signatures = async () =>
        (
          await client.query<{ signature: string }>(
            `SELECT oid::regprocedure::text AS signature FROM pg_proc WHERE proname = 'gatehouse_member_connection'`,
          )
        ).rows.map((row) => row.signature);
      const now = await signatures();
      expect(now).toEqual(['gatehouse_member_connection(uuid,uuid,text,uuid)']);
      // The 3-argument function of 20261209000000's first form, as such a database still has it.
      await client.query('BEGIN');
      await client.query(
        `CREATE FUNCTION gatehouse_member_connection(p_tenant uuid, p_user uuid, p_provider text) RETURNS integer LANGUAGE sql AS 'SELECT 1'`,
      );
      await client.query(
        readFileSync(join(MIGRATIONS, '20261214000001_converge_and_scope_secret_cleanup', 'migration.sql'), 'utf8'),
      );
      expect(await signatures()).toEqual(now);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});
