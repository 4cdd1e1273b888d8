-- Content versions (issue 8): a new body of an item is chunked as the next version beside the
-- live one, and swapped in only when its embed job completes, so answers keep reading the live
-- version until then. content_items.version is the live version; the pending_* columns describe
-- the one being ingested (all NULL when none is). At most one version is pending: a newer body
-- replaces a pending one.

ALTER TABLE content_items
    ADD COLUMN pending_version integer,
    ADD COLUMN pending_kind text,
    ADD COLUMN pending_mime_type text,
    -- Counts against the storage quota while pending: both versions are stored until the swap.
    ADD COLUMN pending_size_bytes bigint,
    ADD COLUMN pending_sha256 bytea,
    ADD COLUMN pending_source_filename text,
    ADD CONSTRAINT content_items_pending_version CHECK (pending_version > version),
    ADD CONSTRAINT content_items_pending_complete CHECK (
        (pending_version IS NULL) = (pending_kind IS NULL)
        AND (pending_version IS NULL) = (pending_mime_type IS NULL)
        AND (pending_version IS NULL) = (pending_size_bytes IS NULL)
        AND (pending_version IS NULL) = (pending_sha256 IS NULL)
        AND (pending_version IS NULL OR pending_size_bytes >= 0)
        AND (pending_source_filename IS NULL OR pending_version IS NOT NULL)),
    ADD CONSTRAINT content_items_pending_kind
        CHECK (pending_kind IN ('text', 'markdown', 'note', 'transcript', 'pdf'));

-- Chunks belong to one version of their item: the live one, or the pending one.
ALTER TABLE content_chunks
    ADD COLUMN version integer NOT NULL DEFAULT 1
        CONSTRAINT content_chunks_version CHECK (version >= 1);
ALTER TABLE content_chunks DROP CONSTRAINT content_chunks_position_key;
ALTER TABLE content_chunks
    ADD CONSTRAINT content_chunks_position_key
        UNIQUE (creator_id, content_id, version, chunk_index);

-- The version an embed job ingests; NULL for delete jobs and for jobs of an item's first body,
-- which complete whatever version is live.
ALTER TABLE ingestion_jobs
    ADD COLUMN content_version integer
        CONSTRAINT ingestion_jobs_content_version CHECK (content_version >= 1);
-- Superseding the jobs of a replaced pending version finds them by item and version.
CREATE INDEX ingestion_jobs_content_idx
    ON ingestion_jobs (creator_id, content_id, content_version);
