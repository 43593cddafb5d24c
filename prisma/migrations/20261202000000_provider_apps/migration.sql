-- Third-party connections (issue 5), first part: a tenant's OAuth app per provider. Its client secret lives in
-- `secrets`, sealed by the vault under owner `provider_app:<id>`. Tenant-owned: row-level security.

CREATE TABLE "provider_apps" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "provider_id" VARCHAR(63) NOT NULL,
    "client_id" VARCHAR(500) NOT NULL,
    -- Scopes members may be asked for with this app (a subset of what the provider offers).
    "allowed_scopes" TEXT[] NOT NULL DEFAULT '{}',
    -- Values for the provider's URL placeholders (e.g. a Microsoft tenant, a self-hosted GitLab base URL).
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "provider_apps_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "provider_apps_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "provider_apps_tenant_provider_key" ON "provider_apps"("tenant_id", "provider_id");

ALTER TABLE "provider_apps" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "provider_apps" FORCE ROW LEVEL SECURITY;
CREATE POLICY provider_apps_isolation ON "provider_apps"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON "provider_apps" TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
