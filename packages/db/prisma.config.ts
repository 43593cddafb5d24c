// Prisma CLI configuration (generate, migrate). Uses the wasm schema engine through the pg driver adapter:
// Prisma's native engines cannot be downloaded on our machines. Only the CLI process reads this file, so the
// adapter fixes below never touch the application's own database client.
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { defineConfig } from 'prisma/config';

const TEXT_OID = 25;
// Catalog columns of type "char" (18) and name (19) fail to deserialize in adapter-pg 6.19 (prisma/orm#27403).
const CATALOG_TEXT_OIDS = new Set([18, 19]);

interface Field {
  dataTypeID: number;
}
interface Queryable {
  performIO(query: unknown): Promise<{ fields: Field[] }>;
  executeScript(script: string): Promise<void>;
  underlyingDriver(): { query(sql: string): Promise<unknown> };
}

let patched = false;
function patchAdapter(adapter: Queryable): void {
  if (patched) return;
  patched = true;
  const adapterProto = Object.getPrototypeOf(adapter) as Queryable;
  const queryableProto = Object.getPrototypeOf(adapterProto) as Queryable;
  const performIO = queryableProto.performIO;
  queryableProto.performIO = async function (this: Queryable, query: unknown) {
    const result = await performIO.call(this, query);
    for (const field of result.fields) if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    return result;
  };
  // The stock executeScript splits on every ";" (even inside comments or strings) and runs the pieces in
  // autocommit. One multi-statement query runs as one implicit transaction: a migration applies whole or not at all.
  adapterProto.executeScript = async function (this: Queryable, script: string) {
    await this.underlyingDriver().query(script);
  };
}

// `prisma generate` needs env("DATABASE_URL") to resolve, or it falls back to downloading native engines. It never
// connects, so a placeholder serves; commands that connect use the real value captured first.
const databaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ??= 'postgresql://generate-only@localhost:5432/none';

class MigrationAdapter extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    patchAdapter(adapter as unknown as Queryable);
    return adapter;
  }
}

function connectionFrom(urlText: string | undefined) {
  if (!urlText) throw new Error('DATABASE_URL is required but not set');
  // Parts, not a connectionString: a connectionString makes the adapter ignore the shadow database's name. Parsed as
  // pg itself parses the application's URLs, so everything in them (sslmode, sslrootcert, a socket host, options)
  // applies to migrations too.
  return {
    ...parseIntoClientConfig(urlText),
    // The CLI never ends its pool; let idle connections stop holding the process open once migrations are done.
    allowExitOnIdle: true,
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('..', '..', 'prisma', 'schema.prisma'),
  migrations: { path: path.join('..', '..', 'prisma', 'migrations') },
  adapter: async () => new MigrationAdapter(connectionFrom(databaseUrl)),
});
