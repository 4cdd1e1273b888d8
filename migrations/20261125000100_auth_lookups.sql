-- Pre-authentication look-ups of the Auth service. Before a credential is verified there is no
-- tenant to scope a transaction to, so each of these narrow SECURITY DEFINER functions (owned by
-- the read-only coachai_lookup role, following app_creator_by_slug) maps one credential to the
-- ids needed to open the tenant transaction, and nothing else: no hashes, no emails, no roles.
-- Everything else happens in a tenant transaction under RLS.

-- Login: the active user with this email in the active creator with this slug.
CREATE FUNCTION app_login_lookup(p_slug text, p_email text)
    RETURNS TABLE (creator_id uuid, user_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT c.id, u.id
          FROM creators c
          JOIN users u ON u.creator_id = c.id
         WHERE c.slug = p_slug::citext AND c.status = 'active'
           AND u.email = p_email::citext AND u.status = 'active'
    $$;

-- Refresh and logout: the token with this SHA-256 hash, whatever its status (a rotated token
-- presented again is the reuse signal that revokes its family).
CREATE FUNCTION app_refresh_token_lookup(p_hash bytea)
    RETURNS TABLE (creator_id uuid, token_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$ SELECT creator_id, id FROM refresh_tokens WHERE token_hash = p_hash $$;

-- API keys: the live key with this public prefix; the secret is checked in the tenant.
CREATE FUNCTION app_api_key_lookup(p_prefix text)
    RETURNS TABLE (creator_id uuid, key_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT creator_id, id FROM api_keys
         WHERE prefix = p_prefix AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())
    $$;

-- Invitations: the pending, unexpired invitation with this token hash.
CREATE FUNCTION app_invitation_lookup(p_hash bytea)
    RETURNS TABLE (creator_id uuid, invitation_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT creator_id, id FROM invitations
         WHERE token_hash = p_hash AND accepted_at IS NULL AND expires_at > now()
    $$;

-- Changing the owner needs CREATE on the schema for a moment.
GRANT CREATE ON SCHEMA public TO coachai_lookup;
ALTER FUNCTION app_login_lookup(text, text) OWNER TO coachai_lookup;
ALTER FUNCTION app_refresh_token_lookup(bytea) OWNER TO coachai_lookup;
ALTER FUNCTION app_api_key_lookup(text) OWNER TO coachai_lookup;
ALTER FUNCTION app_invitation_lookup(bytea) OWNER TO coachai_lookup;
REVOKE CREATE ON SCHEMA public FROM coachai_lookup;

REVOKE ALL ON FUNCTION app_login_lookup(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_refresh_token_lookup(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_api_key_lookup(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_invitation_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_login_lookup(text, text) TO coachai_app;
GRANT EXECUTE ON FUNCTION app_refresh_token_lookup(bytea) TO coachai_app;
GRANT EXECUTE ON FUNCTION app_api_key_lookup(text) TO coachai_app;
GRANT EXECUTE ON FUNCTION app_invitation_lookup(bytea) TO coachai_app;
