-- Inbound messages the AI Engine keeps refusing are no longer retried forever: after
-- CHANNEL_INBOUND_MAX_ATTEMPTS attempts a message is `dead` (its `last_error` kept), the chat is
-- told once through the outbox, and the creator's owner or admins can list it and retry it
-- (dead -> pending, attempts reset). A dead message no longer holds back the later messages of
-- its chat, which are answered in order among themselves.

ALTER TABLE channel_inbound DROP CONSTRAINT channel_inbound_status;
ALTER TABLE channel_inbound ADD CONSTRAINT channel_inbound_status
    CHECK (status IN ('pending', 'done', 'dead'));

-- The owner's listing, per state, newest first (like channel_deliveries_creator_idx).
CREATE INDEX channel_inbound_creator_idx ON channel_inbound (creator_id, status, created_at DESC, id DESC);

-- The claim of 20261127001500, its ordering rule stated against the new state: only `pending`
-- rows are claimed, and only an earlier `pending` message of the chat holds a message back (a
-- `dead` one, or one answered, does not). Replaced by its owner (coachai_queue), so it keeps
-- its owner, its grants and its ids-only result.
GRANT coachai_queue TO CURRENT_USER;
CREATE OR REPLACE FUNCTION app_claim_channel_inbound(p_lease_ms bigint)
    RETURNS TABLE (inbound_id uuid, creator_id uuid, lease_token uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        WITH due AS (
            SELECT i.id FROM channel_inbound i
             WHERE i.status = 'pending' AND i.next_run_at <= now()
               AND NOT EXISTS (
                   SELECT 1 FROM channel_inbound e
                    WHERE e.creator_id = i.creator_id AND e.integration_id = i.integration_id
                      AND e.external_chat = i.external_chat AND e.status = 'pending'
                      AND (e.created_at, e.id) < (i.created_at, i.id))
             ORDER BY i.next_run_at
             LIMIT 1
               FOR UPDATE SKIP LOCKED
        )
        UPDATE channel_inbound i
           SET lease_token = gen_random_uuid(),
               next_run_at = now() + p_lease_ms * interval '1 millisecond',
               updated_at = now()
          FROM due
         WHERE i.id = due.id
           AND i.status = 'pending'
     RETURNING i.id, i.creator_id, i.lease_token
    $$;
ALTER FUNCTION app_claim_channel_inbound(bigint) OWNER TO coachai_queue;
REVOKE ALL ON FUNCTION app_claim_channel_inbound(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_claim_channel_inbound(bigint) TO coachai_app;
REVOKE coachai_queue FROM CURRENT_USER;
