-- Two login roles per tenant, alternating on each credential rotation, so the old credential
-- keeps working until the Deployments that use it run on the new one: slot a is the existing
-- tenant_<creator id without hyphens>, slot b is tenant_<...>_b. Both are members of
-- coachai_tenant, so the grants and the permissive and restrictive policies of tenant_roles hold
-- for both unchanged. current_user cannot be spoofed: it changes only by logging in (the
-- password is in the tenant's Secret alone), SET ROLE (needs membership; tenant roles are
-- members of coachai_tenant only, which is NOLOGIN and a member of nothing) or SET SESSION
-- AUTHORIZATION (superuser); roles of that shape are made only by app_tenant_role below, which
-- only coachai_provisioner may call.

-- The creator of the current tenant role (either slot), or NULL for any other role.
CREATE OR REPLACE FUNCTION app_tenant_role_creator() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path = public, pg_temp
    AS $$
        SELECT CASE WHEN current_user ~ '^tenant_[0-9a-f]{32}(_b)?$'
                    THEN substr(current_user, 8, 32)::uuid END
    $$;

-- The name of p_creator's role in slot p_slot ('a' or 'b').
CREATE FUNCTION app_tenant_role_name(p_creator uuid, p_slot text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = public, pg_temp
    AS $$
    BEGIN
        IF p_slot IS NULL OR p_slot NOT IN ('a', 'b') THEN
            RAISE EXCEPTION 'a tenant role slot is a or b, not %', p_slot;
        END IF;
        RETURN 'tenant_' || replace(p_creator::text, '-', '')
            || CASE WHEN p_slot = 'b' THEN '_b' ELSE '' END;
    END
    $$;

DROP FUNCTION app_tenant_role(uuid, text);

-- Creates the tenant role of p_creator in slot p_slot, or sets its password, from a
-- SCRAM-SHA-256 verifier computed by the caller (the clear password never reaches SQL or the
-- server's logs). Called in the creator's tenant transaction: the creator row must be visible.
-- Returns the role's name.
CREATE FUNCTION app_tenant_role(p_creator uuid, p_slot text, p_verifier text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        r text := app_tenant_role_name(p_creator, p_slot);
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

-- Drops the role of p_creator in slot p_slot once its credential is no longer used (sessions
-- already open end on their own, as after a password change).
CREATE FUNCTION app_retire_tenant_role(p_creator uuid, p_slot text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    BEGIN
        EXECUTE format('DROP ROLE IF EXISTS %I', app_tenant_role_name(p_creator, p_slot));
    END
    $$;

-- Drops both roles of p_creator (database access switched off, or the tenant deleted).
CREATE OR REPLACE FUNCTION app_drop_tenant_role(p_creator uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    BEGIN
        EXECUTE format('DROP ROLE IF EXISTS %I, %I', app_tenant_role_name(p_creator, 'a'),
            app_tenant_role_name(p_creator, 'b'));
    END
    $$;

REVOKE ALL ON FUNCTION app_tenant_role(uuid, text, text), app_retire_tenant_role(uuid, text),
    app_drop_tenant_role(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_tenant_role(uuid, text, text), app_retire_tenant_role(uuid, text),
    app_drop_tenant_role(uuid) FROM coachai_app;
GRANT EXECUTE ON FUNCTION app_tenant_role(uuid, text, text), app_retire_tenant_role(uuid, text),
    app_drop_tenant_role(uuid) TO coachai_provisioner;
