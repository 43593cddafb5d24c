-- State of the MCP authorization server (oidc-provider): sessions, interactions, codes, refresh/access tokens,
-- grants and registered clients. Platform-wide (one issuer for every tenant); a token names its tenant through its
-- audience, the MCP server URL. Kept here so any api instance can continue any flow.

CREATE TABLE "oauth_models" (
    "kind" VARCHAR(40) NOT NULL,
    "id" VARCHAR(255) NOT NULL,
    "payload" JSONB NOT NULL,
    "grant_id" VARCHAR(255),
    "uid" VARCHAR(255),
    "user_code" VARCHAR(255),
    "account_id" VARCHAR(255),
    "client_id" VARCHAR(2048),
    "expires_at" TIMESTAMPTZ(3),
    "consumed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "oauth_models_pkey" PRIMARY KEY ("kind", "id")
);
CREATE INDEX "oauth_models_grant_id_idx" ON "oauth_models"("grant_id") WHERE "grant_id" IS NOT NULL;
CREATE INDEX "oauth_models_uid_idx" ON "oauth_models"("uid") WHERE "uid" IS NOT NULL;
CREATE INDEX "oauth_models_expires_at_idx" ON "oauth_models"("expires_at") WHERE "expires_at" IS NOT NULL;
CREATE INDEX "oauth_models_account_client_idx" ON "oauth_models"("account_id", "client_id") WHERE "kind" = 'Grant';
GRANT SELECT, INSERT, UPDATE, DELETE ON "oauth_models" TO gatehouse_app, gatehouse_maintenance;

-- Remembered consent: a person allowed a client these scopes at one MCP server of a tenant. While it covers a
-- request, the consent page is skipped; revoking it also revokes the tokens issued under it.
CREATE TABLE "oauth_consents" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "user_id" UUID NOT NULL,
    "client_id" VARCHAR(2048) NOT NULL,
    "client_name" VARCHAR(200),
    "resource" VARCHAR(2048) NOT NULL,
    "scopes" TEXT[] NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "oauth_consents_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "oauth_consents_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE,
    CONSTRAINT "oauth_consents_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "oauth_consents_tenant_user_client_resource_key"
  ON "oauth_consents"("tenant_id", "user_id", "client_id", "resource");

ALTER TABLE "oauth_consents" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "oauth_consents" FORCE ROW LEVEL SECURITY;
CREATE POLICY oauth_consents_isolation ON "oauth_consents"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON "oauth_consents" TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
