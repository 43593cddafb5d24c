-- Hot-path reads in one round trip each. Every MCP request checks membership and every tool call reads the
-- person's connection and sealed tokens; as `BEGIN; set_config; SELECT; COMMIT` each costs four round trips (and
-- four socket writes). These functions set the tenant scope, read under row-level security and put the previous
-- scope back, in one statement. SECURITY INVOKER (the default): they run as the caller, so the policies apply
-- exactly as they do to the caller's own queries; they widen nothing.

CREATE FUNCTION gatehouse_member_role(p_tenant uuid, p_user uuid) RETURNS text
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $fn$
DECLARE
  previous text := current_setting('app.tenant_id', true);
  found text;
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant::text, true);
  SELECT role::text INTO found FROM memberships WHERE tenant_id = p_tenant AND user_id = p_user;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
  RETURN found;
END
$fn$;

-- The person's connection to one provider with its sealed tokens (ciphertext; the vault opens it in the process).
CREATE FUNCTION gatehouse_connection_with_tokens(p_tenant uuid, p_user uuid, p_provider text)
  RETURNS TABLE (
    id uuid, tenant_id uuid, user_id uuid, provider_app_id uuid, provider_id varchar, external_account_id varchar,
    account_label varchar, scopes text[], status varchar, access_expires_at timestamptz, token_version integer,
    tokens_issued_at timestamptz, last_used_at timestamptz, created_at timestamptz, updated_at timestamptz,
    sealed_tokens bytea)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $fn$
DECLARE
  previous text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant::text, true);
  RETURN QUERY
    SELECT c.id, c.tenant_id, c.user_id, c.provider_app_id, c.provider_id, c.external_account_id, c.account_label,
           c.scopes, c.status, c.access_expires_at, c.token_version, c.tokens_issued_at, c.last_used_at,
           c.created_at, c.updated_at, s.blob
    FROM connections c
    LEFT JOIN secrets s
      ON s.tenant_id = c.tenant_id AND s.owner = 'connection:' || c.id::text AND s.purpose = 'oauth.tokens'
    WHERE c.tenant_id = p_tenant AND c.user_id = p_user AND c.provider_id = p_provider;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$fn$;

-- Opens an audit append: sets the transaction's tenant scope, creates the chain head on first use and locks it
-- (DO UPDATE, unlike DO NOTHING, locks and returns the existing row). Called inside the appender's transaction:
-- the lock is held until it commits, so appends to one chain serialise across processes.
CREATE FUNCTION gatehouse_audit_lock_head(p_tenant uuid) RETURNS TABLE (last_seq bigint, last_hash bytea)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $fn$
BEGIN
  -- Inside a caller's transaction scoped to another tenant this is a bug: refuse rather than switch scopes.
  IF coalesce(current_setting('app.tenant_id', true), '') NOT IN ('', p_tenant::text) THEN
    RAISE EXCEPTION 'audit append for a tenant other than the transaction''s scope';
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant::text, true);
  RETURN QUERY
    INSERT INTO audit_chain_heads AS h (tenant_id, last_seq, last_hash) VALUES (p_tenant, 0, decode(repeat('00', 32), 'hex'))
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq
    RETURNING h.last_seq, h.last_hash;
END
$fn$;

REVOKE ALL ON FUNCTION gatehouse_member_role(uuid, uuid), gatehouse_connection_with_tokens(uuid, uuid, text),
  gatehouse_audit_lock_head(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gatehouse_member_role(uuid, uuid), gatehouse_connection_with_tokens(uuid, uuid, text),
  gatehouse_audit_lock_head(uuid) TO gatehouse_app, gatehouse_maintenance;
