-- Every change that can end someone's MCP access is announced on the `gatehouse_auth_change` channel when it
-- commits: an access token or sign-in session (or grant) updated or deleted, any change to memberships. The api
-- keeps the result of an access-token lookup in memory and drops all of it on such a notification
-- (`AuthChangeListener`, apps/api AccessTokenCache), so a revocation made anywhere (another api instance, the admin
-- CLI, plain SQL, a cascade from deleting a user or tenant) applies everywhere as soon as it commits.
-- Statement-level: one notification per statement, and PostgreSQL folds repeats within a transaction into one.

CREATE FUNCTION gatehouse_notify_auth_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER
  AS $fn$
BEGIN
  PERFORM pg_notify('gatehouse_auth_change', TG_TABLE_NAME);
  RETURN NULL;
END
$fn$;

-- oauth_models also holds interactions, codes, clients and refresh tokens, which change on every sign-in: only
-- the kinds an access-token check reads are announced.
CREATE FUNCTION gatehouse_notify_token_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER
  AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM changed WHERE kind IN ('AccessToken', 'Session', 'Grant')) THEN
    PERFORM pg_notify('gatehouse_auth_change', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER oauth_models_updated_auth_change AFTER UPDATE ON oauth_models
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_token_change();
CREATE TRIGGER oauth_models_deleted_auth_change AFTER DELETE ON oauth_models
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_token_change();
CREATE TRIGGER memberships_auth_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_auth_change();
CREATE TRIGGER oauth_models_truncated_auth_change AFTER TRUNCATE ON oauth_models
  FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_notify_auth_change();
