-- MCP servers: named, tenant-owned endpoints (`/t/{tenant}/mcp/{server}`) and which toolkits/tools they expose.

CREATE TABLE "mcp_servers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "slug" VARCHAR(63) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "description" VARCHAR(1000),
    -- Toolkits exposed whole (every tool of the toolkit, including ones added later).
    "toolkits" TEXT[] NOT NULL DEFAULT '{}',
    -- Individual tools exposed in addition, as stable `Toolkit.tool` names.
    "tools" TEXT[] NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "mcp_servers_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "mcp_servers_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE,
    CONSTRAINT "mcp_servers_slug_format" CHECK ("slug" ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$')
);
CREATE UNIQUE INDEX "mcp_servers_tenant_slug_key" ON "mcp_servers"("tenant_id", "slug");

ALTER TABLE "mcp_servers" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "mcp_servers" FORCE ROW LEVEL SECURITY;
CREATE POLICY mcp_servers_isolation ON "mcp_servers"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON "mcp_servers" TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
