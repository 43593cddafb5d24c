-- One round trip where the tool-call path took several (bench/tool-call.bench.mjs, docs/benchmarks.md).

-- An audit append as one statement: compare-and-set on the chain head. The appender built the links on the head it
-- believes current (`p_after_seq`, `p_after_hash`); if the head is still that, it moves to the batch's last link and
-- the batch is inserted, atomically; otherwise nothing is written and the current head is returned, to build on
-- and try again. A concurrent appender's UPDATE waits for this one's row lock and then sees the moved head, so two
-- appenders can never both build on one head. Autocommit: scope, compare, insert and commit cost one round trip
-- instead of BEGIN, lock, insert, COMMIT. SECURITY INVOKER: row-level security applies as to the caller's own SQL.
CREATE FUNCTION gatehouse_audit_append(p_tenant uuid, p_after_seq bigint, p_after_hash bytea, p_events jsonb,
                                       p_last_seq bigint, p_last_hash bytea)
  RETURNS TABLE (appended boolean, last_seq bigint, last_hash bytea)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER
  AS $fn$
DECLARE
  previous text := current_setting('app.tenant_id', true);
  inserted integer;
BEGIN
  IF coalesce(previous, '') NOT IN ('', p_tenant::text) THEN
    RAISE EXCEPTION 'audit append for a tenant other than the transaction''s scope';
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant::text, true);
  UPDATE audit_chain_heads h SET last_seq = p_last_seq, last_hash = p_last_hash
    WHERE h.tenant_id = p_tenant AND h.last_seq = p_after_seq AND h.last_hash = p_after_hash;
  IF FOUND THEN
    INSERT INTO audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
                              outcome, request_id, trace_id, metadata, prev_hash, hash)
    SELECT p_tenant, e.seq, e.occurred_at, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id,
           e.outcome, e.request_id, e.trace_id, e.metadata, decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
    FROM jsonb_to_recordset(p_events) AS e(
      seq bigint, occurred_at timestamptz, actor_type text, actor_id text, action text, target_type text,
      target_id text, outcome text, request_id text, trace_id text, metadata jsonb, prev_hash text, hash text);
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted <> jsonb_array_length(p_events) THEN
      RAISE EXCEPTION 'audit batch inserted % of % events', inserted, jsonb_array_length(p_events);
    END IF;
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
    RETURN QUERY SELECT true, p_last_seq, p_last_hash;
    RETURN;
  END IF;
  -- Not the head the appender built on (or no chain yet): create the empty head on first use, return the current.
  INSERT INTO audit_chain_heads (tenant_id, last_seq, last_hash) VALUES (p_tenant, 0, decode(repeat('00', 32), 'hex'))
    ON CONFLICT (tenant_id) DO NOTHING;
  RETURN QUERY SELECT false, h.last_seq, h.last_hash FROM audit_chain_heads h WHERE h.tenant_id = p_tenant;
  PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$fn$;

-- The worker's check of a tool call in one round trip: is the person (still) a member, what the MCP server the call
-- came through (still) exposes (null columns: the server is gone), and the person's connection to the provider with
-- its sealed tokens. No row: not a member. A null connection id: a member without a connection.
CREATE FUNCTION gatehouse_member_connection(p_tenant uuid, p_user uuid, p_provider text, p_server uuid)
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

REVOKE ALL ON FUNCTION gatehouse_audit_append(uuid, bigint, bytea, jsonb, bigint, bytea),
  gatehouse_member_connection(uuid, uuid, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gatehouse_audit_append(uuid, bigint, bytea, jsonb, bigint, bytea),
  gatehouse_member_connection(uuid, uuid, text, uuid) TO gatehouse_app, gatehouse_maintenance;

DROP FUNCTION gatehouse_connection_with_tokens(uuid, uuid, text);
