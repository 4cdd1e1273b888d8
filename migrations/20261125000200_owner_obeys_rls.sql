-- Forced RLS holds for the migration owner too. Until now it did not: coachai_owner was made a
-- member of coachai_lookup (to hand that role the look-up functions), and the `preauth_lookup`
-- policies, `TO coachai_lookup USING (true)`, apply to every member of the role, so the owner
-- read every tenant's rows without setting a tenant.
--
-- Two changes, each enough on its own:
--
-- 1. `preauth_lookup` applies only while the current user *is* coachai_lookup, which happens
--    only inside the SECURITY DEFINER functions it owns, never to a role that merely belongs to
--    it. Roles are shared by every database of a cluster, so a membership granted again by the
--    first migration of another database must not reopen the hole here.
-- 2. The owner leaves coachai_lookup. A later migration that hands a function to coachai_lookup
--    (PostgreSQL 15's ALTER FUNCTION ... OWNER TO needs membership in the new owner) grants the
--    membership first and revokes it before it ends:
--
--        GRANT coachai_lookup TO CURRENT_USER;
--        GRANT CREATE ON SCHEMA public TO coachai_lookup;
--        ALTER FUNCTION app_new_lookup(text) OWNER TO coachai_lookup;
--        REVOKE CREATE ON SCHEMA public FROM coachai_lookup;
--        REVOKE coachai_lookup FROM CURRENT_USER;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'creators', 'users', 'refresh_tokens', 'api_keys', 'invitations', 'content_items',
        'content_chunks', 'ingestion_jobs', 'conversations', 'messages', 'prompt_templates',
        'channel_connections', 'audit_log'
    ] LOOP
        EXECUTE format(
            'ALTER POLICY preauth_lookup ON %I USING ((SELECT current_user) = ''coachai_lookup'')',
            t);
    END LOOP;
END
$$;

REVOKE coachai_lookup FROM CURRENT_USER;
