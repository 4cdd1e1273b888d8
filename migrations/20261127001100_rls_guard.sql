-- The operator's isolation check repairs what it finds: row level security switched off (or
-- not forced) on a tenant table by hand. Only the tables' owner may ALTER them, so the repair
-- is this SECURITY DEFINER function of the migration owner; it only ever turns protection on,
-- so the roles that may call it (the app role the operator provisions with) gain nothing else.
CREATE FUNCTION app_enforce_tenant_rls() RETURNS SETOF text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        t record;
    BEGIN
        FOR t IN
            SELECT c.relname
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'creator_id' AND NOT a.attisdropped
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
               AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
        LOOP
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.relname);
            EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.relname);
            RETURN NEXT t.relname;
        END LOOP;
    END
    $$;
REVOKE ALL ON FUNCTION app_enforce_tenant_rls() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_enforce_tenant_rls() TO coachai_app;
