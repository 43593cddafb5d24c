-- A connection's sealed tokens and a provider app's client secret are written only while their owner row exists, and
-- that row cannot be deleted between this check and the write's commit (FOR KEY SHARE: a concurrent DELETE waits, and
-- its trigger, gatehouse_delete_owned_secrets, then sees the new secret and removes it). Without this, a refresh or a
-- connect finishing after the person was removed, or the app deleted, left a sealed token that nothing owns.
CREATE FUNCTION gatehouse_secret_owner_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner_id uuid;
BEGIN
  IF NEW."owner" ~ '^connection:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    owner_id := substr(NEW."owner", length('connection:') + 1)::uuid;
    PERFORM 1 FROM "connections" WHERE "tenant_id" = NEW."tenant_id" AND "id" = owner_id FOR KEY SHARE;
  ELSIF NEW."owner" ~ '^provider_app:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
    owner_id := substr(NEW."owner", length('provider_app:') + 1)::uuid;
    PERFORM 1 FROM "provider_apps" WHERE "tenant_id" = NEW."tenant_id" AND "id" = owner_id FOR KEY SHARE;
  ELSE
    RETURN NEW;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the owner of this secret (%) no longer exists', NEW."owner" USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END;
$$;

-- Before the insert (an upsert's conflict check comes after it, so its update path is checked too).
CREATE TRIGGER secrets_need_their_owner BEFORE INSERT ON "secrets"
  FOR EACH ROW EXECUTE FUNCTION gatehouse_secret_owner_exists();
