-- Third-party connections (issue 5): one per person, tenant and provider. The tokens live in `secrets`, sealed by the
-- vault under owner `connection:<id>`; this row holds only what may be shown (scopes, account, status, expiry).
-- Tenant-owned: row-level security.

CREATE TABLE "connections" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "user_id" UUID NOT NULL,
    "provider_app_id" UUID NOT NULL,
    "provider_id" VARCHAR(63) NOT NULL,
    -- The person's account at the provider (`workspace:id` where ids are unique per workspace only).
    "external_account_id" VARCHAR(255) NOT NULL,
    "account_label" VARCHAR(200),
    "scopes" TEXT[] NOT NULL DEFAULT '{}',
    -- active: usable; needs_reauth: the provider refused a refresh or a token, the person must connect again.
    "status" VARCHAR(20) NOT NULL DEFAULT 'active',
    -- When the stored access token expires (NULL: the provider did not say; it is used until refused).
    "access_expires_at" TIMESTAMPTZ(3),
    -- Bumped on every token change, so a refresh can tell whether someone else already refreshed.
    "token_version" INTEGER NOT NULL DEFAULT 1,
    -- When the current tokens were obtained (connect or refresh): with the expiry, their lifetime.
    "tokens_issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "connections_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "connections_status_check" CHECK ("status" IN ('active', 'needs_reauth')),
    CONSTRAINT "connections_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE,
    -- A person who leaves the tenant, or a provider app removed by an admin, takes its connections along.
    CONSTRAINT "connections_membership_fkey" FOREIGN KEY ("tenant_id", "user_id")
        REFERENCES "memberships"("tenant_id", "user_id") ON DELETE CASCADE,
    CONSTRAINT "connections_provider_app_fkey" FOREIGN KEY ("provider_app_id")
        REFERENCES "provider_apps"("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "connections_tenant_user_provider_key" ON "connections"("tenant_id", "user_id", "provider_id");
CREATE INDEX "connections_provider_app_id_idx" ON "connections"("provider_app_id");

ALTER TABLE "connections" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "connections" FORCE ROW LEVEL SECURITY;
CREATE POLICY connections_isolation ON "connections"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON "connections" TO gatehouse_app, gatehouse_maintenance;

-- Secrets go with their owner row in the same transaction, however the row is deleted (directly, or cascaded
-- from a membership or provider app): no sealed token or client secret outlives what it belongs to.
CREATE FUNCTION gatehouse_delete_owned_secrets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "secrets" WHERE "tenant_id" = OLD."tenant_id" AND "owner" = TG_ARGV[0] || OLD."id"::text;
  RETURN OLD;
END;
$$;
CREATE TRIGGER connections_delete_secrets AFTER DELETE ON "connections"
  FOR EACH ROW EXECUTE FUNCTION gatehouse_delete_owned_secrets('connection:');
CREATE TRIGGER provider_apps_delete_secrets AFTER DELETE ON "provider_apps"
  FOR EACH ROW EXECUTE FUNCTION gatehouse_delete_owned_secrets('provider_app:');

SELECT gatehouse_assert_rls();
