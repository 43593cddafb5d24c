-- gatehouse_maintenance bypasses row-level security, so what it may do it may do to every tenant. It only ever
-- reads two tables — which data keys each key-encryption key wraps (`vault status`, `vault rotate-kek` finding what
-- to re-wrap; the re-wrap itself is a per-tenant write through gatehouse_app) and which audit chains exist
-- (`audit verify --all`) — so that is all it keeps: its password leaking no longer lets anyone write memberships,
-- read sealed tokens, or forge or wedge any tenant's audit chain.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM gatehouse_maintenance;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM gatehouse_maintenance;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM gatehouse_maintenance;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM gatehouse_maintenance;
GRANT SELECT ON "tenant_data_keys", "audit_chain_heads" TO gatehouse_maintenance;
-- Nor any of Gatehouse's functions (they act with their caller's rights, so this takes nothing it could still do;
-- it keeps the role's rights to what it is for).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM gatehouse_maintenance;
