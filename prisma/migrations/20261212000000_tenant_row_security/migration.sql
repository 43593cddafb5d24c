-- Writes to a tenant's own row, and to memberships, only within that tenant's scope.
--
-- tenants: anyone may look a tenant up (by slug: sign-in, MCP endpoints, invitations) and create one; only a unit of
-- work scoped to the tenant may change it (its name, its tool-call limits) or delete it.
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_read ON "tenants" FOR SELECT USING (true);
CREATE POLICY tenants_create ON "tenants" FOR INSERT WITH CHECK (true);
CREATE POLICY tenants_change ON "tenants" FOR UPDATE
  USING ("id" = gatehouse_current_tenant())
  WITH CHECK ("id" = gatehouse_current_tenant());
CREATE POLICY tenants_delete ON "tenants" FOR DELETE USING ("id" = gatehouse_current_tenant());

-- memberships: a person still sees their memberships of every tenant (their tenant list), but only the tenant's own
-- scope may change or delete one (the single FOR ALL policy let a write scoped to tenant A reach the person's
-- memberships of tenant B).
DROP POLICY memberships_isolation ON "memberships";
CREATE POLICY memberships_read ON "memberships" FOR SELECT
  USING ("tenant_id" = gatehouse_current_tenant() OR "user_id" = gatehouse_current_user());
CREATE POLICY memberships_create ON "memberships" FOR INSERT WITH CHECK ("tenant_id" = gatehouse_current_tenant());
CREATE POLICY memberships_change ON "memberships" FOR UPDATE
  USING ("tenant_id" = gatehouse_current_tenant())
  WITH CHECK ("tenant_id" = gatehouse_current_tenant());
CREATE POLICY memberships_delete ON "memberships" FOR DELETE USING ("tenant_id" = gatehouse_current_tenant());

SELECT gatehouse_assert_rls();
