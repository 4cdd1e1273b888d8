-- Row level security on every tenant table, forced so even the owner obeys it, and the
-- privileges of coachai_app. Policies compare with a sub-select so PostgreSQL evaluates the
-- tenant once per statement, not once per row.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'creators', 'users', 'refresh_tokens', 'api_keys', 'invitations', 'content_items',
        'content_chunks', 'ingestion_jobs', 'conversations', 'messages', 'prompt_templates',
        'channel_connections', 'audit_log'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I
                 USING (creator_id = (SELECT app_current_creator_id()))
                 WITH CHECK (creator_id = (SELECT app_current_creator_id()))', t);
        -- The pre-authentication functions read through this narrow, read-only role.
        EXECUTE format('CREATE POLICY preauth_lookup ON %I FOR SELECT TO coachai_lookup USING (true)', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    creators, users, refresh_tokens, api_keys, invitations, content_items, content_chunks,
    ingestion_jobs, conversations, messages, prompt_templates, channel_connections
    TO coachai_app;
GRANT SELECT, INSERT ON audit_log TO coachai_app;
GRANT SELECT ON prompt_template_defaults, models TO coachai_app;
GRANT SELECT ON creators, users, refresh_tokens, api_keys, invitations TO coachai_lookup;

-- Creating a tenant: the creator row does not exist yet, so no tenant can be set before the
-- insert. The policy above still applies: the caller sets app.current_creator_id to the new id
-- first (provisioning generates it), and WITH CHECK verifies the row matches.

-- Pre-authentication look-up: the id of the creator with this slug, or NULL. Exposes only the
-- id and status of an active creator, nothing else.
CREATE FUNCTION app_creator_by_slug(p_slug text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$ SELECT id FROM creators WHERE slug = p_slug::citext AND status = 'active' $$;
-- Changing the owner needs CREATE on the schema for a moment.
GRANT CREATE ON SCHEMA public TO coachai_lookup;
ALTER FUNCTION app_creator_by_slug(text) OWNER TO coachai_lookup;
REVOKE CREATE ON SCHEMA public FROM coachai_lookup;
REVOKE ALL ON FUNCTION app_creator_by_slug(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_creator_by_slug(text) TO coachai_app;
