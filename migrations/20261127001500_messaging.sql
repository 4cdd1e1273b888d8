-- Messaging channels (Telegram, signed webhooks): a creator's integrations, the external chats
-- bound to conversations, the inbound updates kept before they are answered (deduplicated), and
-- the outbox of replies delivered by a worker. Every table is a tenant table under forced RLS.
-- Webhooks have no token and workers no tenant, so three narrow SECURITY DEFINER functions return
-- ids only: the creator of an integration (pre-auth), and one claim per queue.

CREATE TABLE channel_integrations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id      uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    kind            text NOT NULL CONSTRAINT channel_integrations_kind CHECK (kind IN ('telegram', 'webhook')),
    name            text NOT NULL CONSTRAINT channel_integrations_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    -- Where replies of a webhook integration are POSTed (NULL for Telegram).
    url             text,
    -- Sealed (XChaCha20-Poly1305 under CHANNEL_SECRETS_KEY): the secret inbound requests prove
    -- (webhook signing secret, Telegram secret_token), the bot token, and the integration's API key.
    inbound_secret  bytea NOT NULL,
    bot_token       bytea,
    api_key         bytea NOT NULL,
    api_key_id      uuid NOT NULL,
    user_id         uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT channel_integrations_creator_id_id_key UNIQUE (creator_id, id),
    FOREIGN KEY (creator_id, user_id) REFERENCES users (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX channel_integrations_creator_idx ON channel_integrations (creator_id, created_at DESC);

-- An external chat (Telegram chat id, the webhook sender's conversation) and its conversation,
-- known from the AI Engine's `start` event of the first answer.
CREATE TABLE channel_chats (
    creator_id      uuid NOT NULL,
    integration_id  uuid NOT NULL,
    external_chat   text NOT NULL CONSTRAINT channel_chats_external_length CHECK (char_length(external_chat) BETWEEN 1 AND 200),
    conversation_id uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (creator_id, integration_id, external_chat),
    CONSTRAINT channel_chats_conversation_key UNIQUE (creator_id, conversation_id),
    FOREIGN KEY (creator_id, integration_id) REFERENCES channel_integrations (creator_id, id) ON DELETE CASCADE
);

-- Inbound messages, stored before the sender is answered 200; the dedupe key (Telegram
-- update_id, the webhook's message id) is unique per integration.
CREATE TABLE channel_inbound (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id      uuid NOT NULL,
    integration_id  uuid NOT NULL,
    dedupe_key      text NOT NULL,
    external_chat   text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CONSTRAINT channel_inbound_status CHECK (status IN ('pending', 'done')),
    attempts        integer NOT NULL DEFAULT 0,
    next_run_at     timestamptz NOT NULL DEFAULT now(),
    lease_token     uuid,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT channel_inbound_dedupe_key UNIQUE (creator_id, integration_id, dedupe_key),
    FOREIGN KEY (creator_id, integration_id) REFERENCES channel_integrations (creator_id, id) ON DELETE CASCADE
);
-- The claims scan across tenants (they have no tenant to lead with) over the few pending rows,
-- in next_run_at order, like ingestion_jobs_claim_idx.
CREATE INDEX channel_inbound_claim_idx ON channel_inbound (next_run_at) WHERE status = 'pending';
CREATE INDEX channel_inbound_chat_idx ON channel_inbound (creator_id, integration_id, external_chat, created_at)
    WHERE status = 'pending';

-- The outbox: every reply is a row before anything is sent. A long answer is several parts of
-- one batch, delivered in order. `pending` rows are due at next_run_at (while one is being
-- delivered, next_run_at is the end of its lease); `dead` ones wait for a manual redelivery.
CREATE TABLE channel_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id      uuid NOT NULL,
    integration_id  uuid NOT NULL,
    external_chat   text NOT NULL,
    batch           uuid NOT NULL,
    part            integer NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL DEFAULT 'pending'
                    CONSTRAINT channel_deliveries_state CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_run_at     timestamptz NOT NULL DEFAULT now(),
    lease_token     uuid,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    FOREIGN KEY (creator_id, integration_id) REFERENCES channel_integrations (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX channel_deliveries_creator_idx ON channel_deliveries (creator_id, state, created_at DESC);
CREATE INDEX channel_deliveries_claim_idx ON channel_deliveries (next_run_at) WHERE state = 'pending';
CREATE INDEX channel_deliveries_batch_idx ON channel_deliveries (creator_id, batch, part);

-- Tenant isolation, like 20261125000003 and 20261125000200.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'channel_integrations', 'channel_chats', 'channel_inbound', 'channel_deliveries'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I
                 USING (creator_id = (SELECT app_current_creator_id()))
                 WITH CHECK (creator_id = (SELECT app_current_creator_id()))', t);
        -- Per-tenant roles (20261127001200) are granted none of these tables: they hold sealed
        -- credentials and delivery internals, like api_keys. The restrictive policy still ties
        -- any later grant to the role's own creator.
        EXECUTE format(
            'CREATE POLICY tenant_role_only ON %I AS RESTRICTIVE TO coachai_tenant
                 USING (creator_id = (SELECT app_tenant_role_creator()))', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO coachai_app', t);
    END LOOP;
END
$$;

-- Pre-auth: the creator of integration p_id, or NULL. Only ids leave the function.
GRANT SELECT (id, creator_id) ON channel_integrations TO coachai_lookup;
CREATE POLICY preauth_lookup ON channel_integrations FOR SELECT TO coachai_lookup
    USING ((SELECT current_user) = 'coachai_lookup');
CREATE FUNCTION app_channel_integration_creator(p_id uuid) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$ SELECT creator_id FROM channel_integrations WHERE id = p_id $$;
REVOKE ALL ON FUNCTION app_channel_integration_creator(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_channel_integration_creator(uuid) TO coachai_app;
GRANT coachai_lookup TO CURRENT_USER;
GRANT CREATE ON SCHEMA public TO coachai_lookup;
ALTER FUNCTION app_channel_integration_creator(uuid) OWNER TO coachai_lookup;
REVOKE CREATE ON SCHEMA public FROM coachai_lookup;
REVOKE coachai_lookup FROM CURRENT_USER;

-- The claims, like app_claim_ingestion_job: one due row across tenants, leased for p_lease_ms
-- (next_run_at moves to the lease's end, so an expired lease is simply due again).
GRANT SELECT (id, creator_id, integration_id, external_chat, status, next_run_at, lease_token,
              created_at),
      UPDATE (next_run_at, lease_token, updated_at)
    ON channel_inbound TO coachai_queue;
GRANT SELECT (id, creator_id, batch, part, state, next_run_at, lease_token),
      UPDATE (next_run_at, lease_token, updated_at)
    ON channel_deliveries TO coachai_queue;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['channel_inbound', 'channel_deliveries'] LOOP
        EXECUTE format(
            'CREATE POLICY queue_claim_select ON %I FOR SELECT TO coachai_queue
                 USING ((SELECT current_user) = ''coachai_queue'')', t);
        EXECUTE format(
            'CREATE POLICY queue_claim_update ON %I FOR UPDATE TO coachai_queue
                 USING ((SELECT current_user) = ''coachai_queue'')
                 WITH CHECK ((SELECT current_user) = ''coachai_queue'')', t);
    END LOOP;
END
$$;

-- A message waits while an earlier one of its chat is pending: a chat's messages are answered
-- in order, and its first answer binds the conversation the next ones continue.
CREATE FUNCTION app_claim_channel_inbound(p_lease_ms bigint)
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
     RETURNING i.id, i.creator_id, i.lease_token
    $$;

-- A part waits while an earlier part of its batch is still pending, so parts arrive in order.
CREATE FUNCTION app_claim_channel_delivery(p_lease_ms bigint)
    RETURNS TABLE (delivery_id uuid, creator_id uuid, lease_token uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        WITH due AS (
            SELECT d.id FROM channel_deliveries d
             WHERE d.state = 'pending' AND d.next_run_at <= now()
               AND NOT EXISTS (
                   SELECT 1 FROM channel_deliveries p
                    WHERE p.creator_id = d.creator_id AND p.batch = d.batch
                      AND p.part < d.part AND p.state = 'pending')
             ORDER BY d.next_run_at
             LIMIT 1
               FOR UPDATE SKIP LOCKED
        )
        UPDATE channel_deliveries d
           SET lease_token = gen_random_uuid(),
               next_run_at = now() + p_lease_ms * interval '1 millisecond',
               updated_at = now()
          FROM due
         WHERE d.id = due.id
     RETURNING d.id, d.creator_id, d.lease_token
    $$;

REVOKE ALL ON FUNCTION app_claim_channel_inbound(bigint), app_claim_channel_delivery(bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_claim_channel_inbound(bigint), app_claim_channel_delivery(bigint)
    TO coachai_app;
GRANT coachai_queue TO CURRENT_USER;
GRANT CREATE ON SCHEMA public TO coachai_queue;
ALTER FUNCTION app_claim_channel_inbound(bigint) OWNER TO coachai_queue;
ALTER FUNCTION app_claim_channel_delivery(bigint) OWNER TO coachai_queue;
REVOKE CREATE ON SCHEMA public FROM coachai_queue;
REVOKE coachai_queue FROM CURRENT_USER;
