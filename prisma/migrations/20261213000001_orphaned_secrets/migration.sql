-- Sealed tokens and client secrets whose owner row was deleted while they were being written (before
-- 20261213000000 made that impossible): nothing owns them, nothing reads them; they go. Row-level security is lifted
-- for the table owner meanwhile (in this migration's transaction only): the migration runs in no tenant's scope, and
-- an owner that is not a superuser would otherwise see no rows and silently delete nothing.
ALTER TABLE "secrets" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "connections" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "provider_apps" NO FORCE ROW LEVEL SECURITY;
DELETE FROM "secrets" s
WHERE s."owner" ~ '^connection:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND NOT EXISTS (
    SELECT 1 FROM "connections" c
    WHERE c."tenant_id" = s."tenant_id" AND c."id" = substr(s."owner", length('connection:') + 1)::uuid
  );
DELETE FROM "secrets" s
WHERE s."owner" ~ '^provider_app:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND NOT EXISTS (
    SELECT 1 FROM "provider_apps" a
    WHERE a."tenant_id" = s."tenant_id" AND a."id" = substr(s."owner", length('provider_app:') + 1)::uuid
  );
ALTER TABLE "secrets" FORCE ROW LEVEL SECURITY;
ALTER TABLE "connections" FORCE ROW LEVEL SECURITY;
ALTER TABLE "provider_apps" FORCE ROW LEVEL SECURITY;
SELECT gatehouse_assert_rls();
