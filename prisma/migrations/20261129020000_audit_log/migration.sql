-- Tamper-evident audit log: one hash chain per tenant (platform-level events use the nil UUID as their chain).
-- Append-only for the application: gatehouse_app may SELECT and INSERT, never UPDATE or DELETE.
-- No foreign key to tenants: the record of what happened outlives a deleted tenant.

CREATE TABLE "audit_events" (
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_type" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(200),
    "action" VARCHAR(100) NOT NULL,
    "target_type" VARCHAR(50),
    "target_id" VARCHAR(200),
    "outcome" VARCHAR(16) NOT NULL,
    "request_id" VARCHAR(128),
    "trace_id" VARCHAR(64),
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "prev_hash" BYTEA NOT NULL,
    "hash" BYTEA NOT NULL,
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("tenant_id", "seq"),
    CONSTRAINT "audit_events_seq_positive" CHECK ("seq" > 0),
    CONSTRAINT "audit_events_actor_type" CHECK ("actor_type" IN ('user', 'api_key', 'oauth_client', 'system', 'anonymous')),
    CONSTRAINT "audit_events_outcome" CHECK ("outcome" IN ('success', 'failure', 'denied', 'error'))
);
CREATE INDEX "audit_events_time_idx" ON "audit_events"("tenant_id", "occurred_at");
CREATE INDEX "audit_events_action_idx" ON "audit_events"("tenant_id", "action", "seq");
CREATE INDEX "audit_events_actor_idx" ON "audit_events"("tenant_id", "actor_id", "seq");

-- The head of each chain: serialises appends (row lock) and remembers the last link, so deleting the newest
-- events is detected too.
CREATE TABLE "audit_chain_heads" (
    "tenant_id" UUID NOT NULL DEFAULT gatehouse_current_tenant(),
    "last_seq" BIGINT NOT NULL,
    "last_hash" BYTEA NOT NULL,
    CONSTRAINT "audit_chain_heads_pkey" PRIMARY KEY ("tenant_id")
);

ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_events" FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_isolation ON "audit_events"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());
ALTER TABLE "audit_chain_heads" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_chain_heads" FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chain_heads_isolation ON "audit_chain_heads"
  USING ("tenant_id" = gatehouse_current_tenant()) WITH CHECK ("tenant_id" = gatehouse_current_tenant());

REVOKE ALL ON "audit_events", "audit_chain_heads" FROM gatehouse_app, gatehouse_maintenance;
GRANT SELECT, INSERT ON "audit_events" TO gatehouse_app, gatehouse_maintenance;
GRANT SELECT, INSERT, UPDATE ON "audit_chain_heads" TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
