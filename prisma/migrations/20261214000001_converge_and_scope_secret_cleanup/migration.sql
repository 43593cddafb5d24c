-- 1. Migration 20261209000000 was edited after it first shipped (its worker check gained the MCP server the call came
-- through). A database that ran its first form kept the 3-argument gatehouse_member_connection, and Prisma does not
-- re-run an applied migration, so every tool call would fail there while nothing looked pending. This brings such a
-- database to what the migration now says; on any other it changes nothing. (Migrations are immutable from here on:
-- packages/db/test/migrations.test.ts holds each one's digest.)
DROP FUNCTION IF EXISTS gatehouse_member_connection(uuid, uuid, text);
CREATE OR REPLACE FUNCTION gatehouse_member_connection(p_tenant uuid, p_user uuid, p_provider text, p_server uuid)
  RETURNS TABLE (
    role text, server_toolkits text[], server_tools text[], server_admin_only_tools text[],
    id uuid, tenant_id uuid, user_id uuid, provider_app_id uuid, provider_id varchar,
    external_account_id varchar, account_label varchar, scopes text[], status varchar, access_expires_at timestamptz,
    token_version integer, tokens_issued_at timestamptz, last_used_at timestamptz, created_at timestamptz,
    updated_at timestamptz, sealed_tokens bytea)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $fn$
DECLARE
  previous text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant::text, true);
  RETURN QUERY
    SELECT m.role::text, srv.toolkits, srv.tools, srv.admin_only_tools,
           c.id, c.tenant_id, c.user_id, c.provider_app_id, c.provider_id, c.external_account_id,
           c.account_label, c.scopes, c.status, c.access_expires_at, c.token_version, c.tokens_issued_at,
           c.last_used_at, c.created_at, c.updated_at, s.blob
    FROM memberships m
    LEFT JOIN mcp_servers srv ON srv.tenant_id = m.tenant_id AND srv.id = p_server
    LEFT JOIN connections c ON c.tenant_id = m.tenant_id AND c.user_id = m.user_id AND c.provider_id = p_provider
    LEFT JOIN secrets s
      ON s.tenant_id = c.tenant_id AND s.owner = 'connection:' || c.id::text AND s.purpose = 'oauth.tokens'
    WHERE m.tenant_id = p_tenant AND m.user_id = p_user;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$fn$;
REVOKE ALL ON FUNCTION gatehouse_member_connection(uuid, uuid, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gatehouse_member_connection(uuid, uuid, text, uuid) TO gatehouse_app;

-- 2. The cleanup of a deleted connection's or provider app's secrets ran in whatever tenant scope its DELETE had.
-- A cascade from outside any scope — an operator deleting a user, whose memberships and connections in every tenant
-- go with it, as a table owner that is not a superuser (row-level security is forced for owners too) — saw none of
-- the secrets and left the person's sealed tokens behind. It now works in the deleted row's own tenant, and puts the
-- caller's scope back.
CREATE OR REPLACE FUNCTION gatehouse_delete_owned_secrets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.tenant_id', OLD."tenant_id"::text, true);
  DELETE FROM "secrets" WHERE "tenant_id" = OLD."tenant_id" AND "owner" = TG_ARGV[0] || OLD."id"::text;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
  RETURN OLD;
END;
$$;
