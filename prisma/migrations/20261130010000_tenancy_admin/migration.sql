-- Invitations and API keys: tenant-owned, row-level security like every tenant table.

CREATE TABLE "invitations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "email" VARCHAR(320) NOT NULL,
    "role" "membership_role" NOT NULL,
    -- SHA-256 of the single-use token; the token itself is only ever in the invitation link.
    "token_hash" BYTEA NOT NULL,
    "invited_by" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "accepted_by" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "invitations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE,
    CONSTRAINT "invitations_email_lowercase" CHECK ("email" = lower("email"))
);
CREATE UNIQUE INDEX "invitations_tenant_token_key" ON "invitations"("tenant_id", "token_hash");
CREATE INDEX "invitations_tenant_pending_idx" ON "invitations"("tenant_id", "created_at") WHERE "accepted_at" IS NULL AND "revoked_at" IS NULL;

CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "name" VARCHAR(100) NOT NULL,
    -- SHA-256 of the 256-bit secret part; the key is shown once at creation and never stored.
    "secret_hash" BYTEA NOT NULL,
    "scopes" TEXT[] NOT NULL,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
);
CREATE INDEX "api_keys_tenant_idx" ON "api_keys"("tenant_id", "created_at");

ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "invitations" FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_isolation ON "invitations"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_isolation ON "api_keys"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON "invitations", "api_keys" TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
