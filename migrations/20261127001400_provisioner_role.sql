-- The operator's own database role: what the application role may do (it inherits
-- coachai_app's privileges, and row level security binds it the same way: NOBYPASSRLS), plus
-- the provisioning functions that create and drop tenant roles and repair row level security,
-- which the services' role may no longer call. Its password is set by whoever administers the
-- database (scripts/stack/up.sh locally), like the other login roles.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_provisioner') THEN
        CREATE ROLE coachai_provisioner NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;
GRANT coachai_app TO coachai_provisioner;

REVOKE EXECUTE ON FUNCTION app_tenant_role(uuid, text), app_drop_tenant_role(uuid),
    app_enforce_tenant_rls() FROM coachai_app;
GRANT EXECUTE ON FUNCTION app_tenant_role(uuid, text), app_drop_tenant_role(uuid),
    app_enforce_tenant_rls() TO coachai_provisioner;
