-- Per-tenant database roles (a Creator's spec.databaseAccess): a LOGIN role per creator named
-- tenant_<creator id without hyphens>, member of coachai_tenant, which may read the tenant's
-- content and conversations and sees only its own creator's rows. It cannot widen that by
-- setting app.current_creator_id: a RESTRICTIVE policy ties every row to the role's own
-- creator. Credentials, tokens, keys, invitations, users and the audit log are not granted.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_tenant') THEN
        CREATE ROLE coachai_tenant NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

-- The creator of the current tenant role, or NULL for any other role.
CREATE FUNCTION app_tenant_role_creator() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
        SELECT CASE WHEN current_user ~ '^tenant_[0-9a-f]{32}$'
                    THEN substr(current_user, 8)::uuid END
    $$;
GRANT EXECUTE ON FUNCTION app_tenant_role_creator() TO PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'creators', 'content_items', 'content_chunks', 'conversations', 'messages',
        'prompt_templates'
    ] LOOP
        EXECUTE format('GRANT SELECT ON %I TO coachai_tenant', t);
        EXECUTE format(
            'CREATE POLICY tenant_role_read ON %I FOR SELECT TO coachai_tenant
                 USING (creator_id = (SELECT app_tenant_role_creator()))', t);
        EXECUTE format(
            'CREATE POLICY tenant_role_only ON %I AS RESTRICTIVE TO coachai_tenant
                 USING (creator_id = (SELECT app_tenant_role_creator()))', t);
    END LOOP;
END
$$;

-- Creates the tenant role of p_creator, or sets its password, from a SCRAM-SHA-256 verifier
-- computed by the caller (the clear password never reaches SQL or the server's logs). Called in
-- the creator's tenant transaction: the creator row must be visible. Returns the role's name.
CREATE FUNCTION app_tenant_role(p_creator uuid, p_verifier text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        r text := 'tenant_' || replace(p_creator::text, '-', '');
    BEGIN
        IF p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
            RAISE EXCEPTION 'not a SCRAM-SHA-256 verifier';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM creators WHERE id = p_creator) THEN
            RAISE EXCEPTION 'no creator % in this tenant', p_creator;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', r, p_verifier);
        ELSE
            EXECUTE format(
                'CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
                     CONNECTION LIMIT 10 PASSWORD %L IN ROLE coachai_tenant', r, p_verifier);
        END IF;
        RETURN r;
    END
    $$;

-- Drops the tenant role of p_creator (database access switched off, or the tenant deleted).
CREATE FUNCTION app_drop_tenant_role(p_creator uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    BEGIN
        EXECUTE format('DROP ROLE IF EXISTS %I', 'tenant_' || replace(p_creator::text, '-', ''));
    END
    $$;

REVOKE ALL ON FUNCTION app_tenant_role(uuid, text), app_drop_tenant_role(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenant_role(uuid, text), app_drop_tenant_role(uuid) TO coachai_app;
