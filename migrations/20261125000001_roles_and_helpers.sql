-- Roles, extensions and the tenant helper every RLS policy uses.
--
-- Migrations run as the owner role (coachai_owner). The services connect as coachai_app, which
-- owns nothing and has neither SUPERUSER nor BYPASSRLS. coachai_lookup is a NOLOGIN role that
-- owns the narrow SECURITY DEFINER functions used before authentication (login by email,
-- refresh-token and API-key look-up); it may only read, and only through those functions.

CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS btree_gin;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_app') THEN
        CREATE ROLE coachai_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_lookup') THEN
        CREATE ROLE coachai_lookup NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

-- The owner must be able to hand functions to coachai_lookup.
GRANT coachai_lookup TO CURRENT_USER;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO coachai_app, coachai_lookup;

-- The tenant of the current transaction, or NULL when none is set. NULLIF matters: after a
-- transaction-local set_config ends, the setting reads as '' (not NULL) on that connection.
CREATE FUNCTION app_current_creator_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.current_creator_id', true), '')::uuid $$;

GRANT EXECUTE ON FUNCTION app_current_creator_id() TO coachai_app, coachai_lookup;
