-- Deleting content queues a `delete` job for the AI Engine, which owns the item's vectors. That
-- job must outlive the content row, so ingestion jobs no longer reference content_items: embed
-- jobs still go with their content (a trigger, run under the deleting tenant's RLS), delete jobs
-- stay, and every job still belongs to an existing creator.

ALTER TABLE ingestion_jobs DROP CONSTRAINT ingestion_jobs_creator_id_content_id_fkey;

ALTER TABLE ingestion_jobs
    ADD CONSTRAINT ingestion_jobs_creator_fkey
    FOREIGN KEY (creator_id) REFERENCES creators (id) ON DELETE CASCADE;

CREATE FUNCTION app_drop_embed_jobs_of_deleted_content() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    DELETE FROM ingestion_jobs
     WHERE creator_id = OLD.creator_id AND content_id = OLD.id AND kind = 'embed';
    RETURN OLD;
END
$$;

CREATE TRIGGER content_items_drop_embed_jobs
    AFTER DELETE ON content_items
    FOR EACH ROW EXECUTE FUNCTION app_drop_embed_jobs_of_deleted_content();
