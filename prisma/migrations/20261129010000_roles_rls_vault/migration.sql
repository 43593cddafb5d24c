-- Database roles, row-level security and the vault's tables.
-- This migration runs as one statement batch (see packages/db/prisma.config.ts), so it applies whole or not at all.

-- Roles are cluster-wide. They are created here without LOGIN if missing; `prepareDatabase` (npm start, tests)
-- gives them LOGIN and the passwords from DATABASE_URL / MAINTENANCE_DATABASE_URL.
--   gatehouse_app          what api and worker connect as: DML only, subject to row-level security.
--   gatehouse_maintenance  cross-tenant jobs (key rotation): BYPASSRLS, used through its own connection only.
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_app') THEN
    CREATE ROLE gatehouse_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse_maintenance') THEN
    CREATE ROLE gatehouse_maintenance NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$roles$;

GRANT USAGE ON SCHEMA public TO gatehouse_app, gatehouse_maintenance;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gatehouse_app, gatehouse_maintenance;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO gatehouse_app, gatehouse_maintenance;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gatehouse_app, gatehouse_maintenance;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO gatehouse_app, gatehouse_maintenance;
-- Migration bookkeeping is the owner's alone.
REVOKE ALL ON TABLE "_prisma_migrations" FROM gatehouse_app, gatehouse_maintenance;

-- The tenant a unit of work runs for, set per transaction with set_config('app.tenant_id', id, true).
-- After a transaction-local setting ends it reads '' (not NULL) on a pooled connection: NULLIF covers that.
CREATE FUNCTION gatehouse_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $fn$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $fn$;
CREATE FUNCTION gatehouse_current_user() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $fn$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $fn$;

-- Fails the migration when any table with a tenant_id column lacks ENABLE + FORCE row-level security and a
-- policy. Called at the end of every migration that adds tables, so a forgotten table cannot ship.
CREATE FUNCTION gatehouse_assert_rls() RETURNS void
  LANGUAGE plpgsql
  AS $fn$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO missing
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  WHERE c.relkind IN ('r', 'p')
    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
    AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid));
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'row-level security is missing on tenant-owned tables: %', missing;
  END IF;
END
$fn$;

-- memberships: visible within the current tenant, and to the user they belong to (their tenant list).
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_isolation ON "memberships"
  USING ("tenant_id" = gatehouse_current_tenant() OR "user_id" = gatehouse_current_user())
  WITH CHECK ("tenant_id" = gatehouse_current_tenant());

-- Per-tenant data keys, wrapped by a key-encryption key. Deleting them is crypto-shredding.
CREATE TABLE "tenant_data_keys" (
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "version" INTEGER NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "kek_version" VARCHAR(32) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tenant_data_keys_pkey" PRIMARY KEY ("tenant_id", "version"),
    CONSTRAINT "tenant_data_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE,
    CONSTRAINT "tenant_data_keys_state" CHECK ("state" IN ('active', 'decrypt_only')),
    CONSTRAINT "tenant_data_keys_version_positive" CHECK ("version" > 0)
);
-- At most one active data key per tenant.
CREATE UNIQUE INDEX "tenant_data_keys_one_active" ON "tenant_data_keys"("tenant_id") WHERE "state" = 'active';
CREATE INDEX "tenant_data_keys_kek_version_idx" ON "tenant_data_keys"("kek_version");
ALTER TABLE "tenant_data_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenant_data_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_data_keys_isolation ON "tenant_data_keys"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());

-- Every encrypted secret of every feature (third-party tokens, OAuth client secrets, API credentials).
CREATE TABLE "secrets" (
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "owner" VARCHAR(200) NOT NULL,
    "purpose" VARCHAR(200) NOT NULL,
    "blob" BYTEA NOT NULL,
    "dek_version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "secrets_pkey" PRIMARY KEY ("tenant_id", "owner", "purpose"),
    CONSTRAINT "secrets_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
);
CREATE INDEX "secrets_dek_version_idx" ON "secrets"("tenant_id", "dek_version");
ALTER TABLE "secrets" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "secrets" FORCE ROW LEVEL SECURITY;
CREATE POLICY secrets_isolation ON "secrets"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON "tenant_data_keys", "secrets" TO gatehouse_app, gatehouse_maintenance;
GRANT EXECUTE ON FUNCTION gatehouse_current_tenant(), gatehouse_current_user() TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
