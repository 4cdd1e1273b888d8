-- The ingestion queue: the contract between the Creator Hub (which enqueues) and the AI Engine
-- (which embeds). Jobs live in ingestion_jobs under forced RLS. Workers have no tenant when they
-- look for work, so one narrow SECURITY DEFINER function, owned by the NOLOGIN role
-- coachai_queue, claims a due job across tenants and returns only ids; everything after that
-- (completion, failure, heartbeat) runs in the claimed creator's tenant transaction.

-- What the job does: embed the content's chunks, or delete its vectors.
ALTER TABLE ingestion_jobs
    ADD COLUMN kind text NOT NULL DEFAULT 'embed'
        CONSTRAINT ingestion_jobs_kind CHECK (kind IN ('embed', 'delete')),
    -- A fresh token per claim. Completion, failure and heartbeat name it, so a worker whose
    -- lease was taken over changes nothing: completion is recorded exactly once.
    ADD COLUMN lease_token uuid;

-- While a job runs, next_run_at equals locked_until, so "due" is one range on one column for
-- both queued jobs and expired leases. The claim scans across tenants (it has no tenant to lead
-- with), in next_run_at order, over the few unfinished jobs only; an index leading with
-- creator_id, like ingestion_jobs_due_idx, would have to be read once per creator.
CREATE INDEX ingestion_jobs_claim_idx ON ingestion_jobs (next_run_at)
    WHERE status IN ('queued', 'running');

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_queue') THEN
        CREATE ROLE coachai_queue NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO coachai_queue;
GRANT SELECT (id, creator_id, content_id, kind, status, attempts, next_run_at, locked_until,
               lease_token)
    ON ingestion_jobs TO coachai_queue;
GRANT UPDATE (status, attempts, next_run_at, locked_until, lease_token, updated_at)
    ON ingestion_jobs TO coachai_queue;

-- Like preauth_lookup since 20261125000200: the policies apply only while the current user *is*
-- coachai_queue (inside its function), never to a role that merely belongs to it.
CREATE POLICY queue_claim_select ON ingestion_jobs FOR SELECT TO coachai_queue
    USING ((SELECT current_user) = 'coachai_queue');
CREATE POLICY queue_claim_update ON ingestion_jobs FOR UPDATE TO coachai_queue
    USING ((SELECT current_user) = 'coachai_queue')
    WITH CHECK ((SELECT current_user) = 'coachai_queue');

-- Claims one due job: queued and due, or running with an expired lease (its worker died). The
-- job becomes running with a new lease token for p_lease_ms milliseconds and one more attempt.
-- SKIP LOCKED lets concurrent workers pass over each other's rows instead of waiting.
CREATE FUNCTION app_claim_ingestion_job(p_lease_ms bigint)
    RETURNS TABLE (job_id uuid, creator_id uuid, content_id uuid, kind text, attempt integer,
                   lease_token uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        WITH due AS (
            SELECT j.id
              FROM ingestion_jobs j
             WHERE j.status IN ('queued', 'running')
               AND j.next_run_at <= now()
               AND (j.status = 'queued' OR j.locked_until < now())
             ORDER BY j.next_run_at
             LIMIT 1
               FOR UPDATE SKIP LOCKED
        )
        UPDATE ingestion_jobs j
           SET status = 'running',
               attempts = j.attempts + 1,
               lease_token = gen_random_uuid(),
               locked_until = now() + p_lease_ms * interval '1 millisecond',
               next_run_at = now() + p_lease_ms * interval '1 millisecond',
               updated_at = now()
          FROM due
         WHERE j.id = due.id
     RETURNING j.id, j.creator_id, j.content_id, j.kind, j.attempts, j.lease_token
    $$;

-- Privileges first, while the migration owner still owns the function (they move with it).
REVOKE ALL ON FUNCTION app_claim_ingestion_job(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_claim_ingestion_job(bigint) TO coachai_app;

-- Handing the function to coachai_queue needs membership in it and CREATE on the schema for a
-- moment; the owner leaves the role again so its policies never apply to the owner.
GRANT coachai_queue TO CURRENT_USER;
GRANT CREATE ON SCHEMA public TO coachai_queue;
ALTER FUNCTION app_claim_ingestion_job(bigint) OWNER TO coachai_queue;
REVOKE CREATE ON SCHEMA public FROM coachai_queue;
REVOKE coachai_queue FROM CURRENT_USER;
