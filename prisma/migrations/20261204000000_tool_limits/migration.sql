-- Tool-call rate limits a tenant's admins set for their tenant (issue 6): per tenant, per person, per person and
-- tool, per provider, in calls per minute. Keys absent = the deployment's defaults (api configuration).
ALTER TABLE "tenants" ADD COLUMN "tool_limits" JSONB NOT NULL DEFAULT '{}';
