-- The worker keeps what a tool call reads (membership, what the MCP server exposes, the person's connection with
-- its sealed tokens; `gatehouse_member_connection`) in memory, like the api keeps access-token lookups, and drops
-- all of it on any change that could make a call refused or its token stale. Those changes are announced here on
-- the same channel as the access-ending ones (migration `auth_change_notifications`), when they commit:
--   * a connection updated (status, scopes, tokens, expiry, account) or deleted — not the once-a-minute
--     bookkeeping of when it was last used, which would otherwise empty every cache in every process all the time;
--   * a connection's sealed tokens written or deleted (secrets of purpose `oauth.tokens`);
--   * an MCP server updated or deleted (its toolkits, tools, admin-only tools).
-- Membership changes are announced already. New connections need no announcement: a person without one is never
-- remembered.

CREATE FUNCTION gatehouse_notify_connection_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER
  AS $fn$
BEGIN
  IF EXISTS (
    SELECT 1 FROM old_rows b LEFT JOIN new_rows a ON a.id = b.id
    WHERE a.id IS NULL
       OR (b.tenant_id, b.user_id, b.provider_app_id, b.provider_id, b.external_account_id, b.account_label, b.scopes,
           b.status, b.access_expires_at, b.token_version, b.tokens_issued_at)
          IS DISTINCT FROM
          (a.tenant_id, a.user_id, a.provider_app_id, a.provider_id, a.external_account_id, a.account_label, a.scopes,
           a.status, a.access_expires_at, a.token_version, a.tokens_issued_at)
  ) THEN
    PERFORM pg_notify('gatehouse_auth_change', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION gatehouse_notify_token_secret_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER
  AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM changed WHERE purpose = 'oauth.tokens') THEN
    PERFORM pg_notify('gatehouse_auth_change', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER connections_updated_auth_change AFTER UPDATE ON connections
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gatehouse_notify_connection_update();
CREATE TRIGGER connections_deleted_auth_change AFTER DELETE OR TRUNCATE ON connections
  FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_auth_change();

CREATE TRIGGER secrets_inserted_auth_change AFTER INSERT ON secrets
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_token_secret_change();
CREATE TRIGGER secrets_updated_auth_change AFTER UPDATE ON secrets
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_token_secret_change();
CREATE TRIGGER secrets_deleted_auth_change AFTER DELETE ON secrets
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_token_secret_change();
CREATE TRIGGER secrets_truncated_auth_change AFTER TRUNCATE ON secrets
  FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_auth_change();

CREATE TRIGGER mcp_servers_auth_change AFTER UPDATE OR DELETE OR TRUNCATE ON mcp_servers
  FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_auth_change();
