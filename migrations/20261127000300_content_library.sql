-- The content library of the Creator Hub: what a content object shows that content_items did not
-- hold yet (its version and tags) and where each chunk comes from. Chunk counts are derived from
-- content_chunks (total, and those the AI Engine has embedded: embedding_id set), never stored
-- twice.

ALTER TABLE content_items
    -- 1 on upload; a new body (a later piece) makes a new version.
    ADD COLUMN version integer NOT NULL DEFAULT 1
        CONSTRAINT content_items_version CHECK (version >= 1),
    -- Labels for filtering the library; the API keeps each to 1-50 characters.
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}'
        CONSTRAINT content_items_tags_count CHECK (cardinality(tags) <= 20
                                                  AND array_position(tags, NULL) IS NULL);

-- The chunker's location, as the API shows it: {heading_path}, {page} or {start, end}.
ALTER TABLE content_chunks
    ADD COLUMN location jsonb NOT NULL DEFAULT '{}'::jsonb
        CONSTRAINT content_chunks_location_object CHECK (jsonb_typeof(location) = 'object');

-- Keyset pagination of the library walks (created_at DESC, id DESC) within one creator; this
-- index serves it and everything the old (creator_id, created_at DESC) index served.
DROP INDEX content_items_creator_idx;
CREATE INDEX content_items_list_idx ON content_items (creator_id, created_at DESC, id DESC);

-- `?tag=` filters with tags @> ARRAY[tag]; btree_gin lets the index lead with the tenant.
CREATE INDEX content_items_tags_idx ON content_items USING gin (creator_id, tags);
