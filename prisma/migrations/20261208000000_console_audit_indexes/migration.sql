-- The console (issue 7) reads the audit log in two new ways. Usage charts aggregate one action (`tool.call`) over
-- a time range; the audit table filters by target (the tool of a `tool.call`) newest first. Both stay index scans
-- however long a tenant's history grows.
CREATE INDEX "audit_events_action_time_idx" ON "audit_events" ("tenant_id", "action", "occurred_at");
CREATE INDEX "audit_events_target_idx" ON "audit_events" ("tenant_id", "target_id", "seq");
