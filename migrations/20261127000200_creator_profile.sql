-- The creator profile of the Creator Hub: a bio, branding, the AI coach's persona and the
-- origins allowed to embed the chat. Typed columns (not the free-form `settings`) so the
-- database keeps every row within the limits the API promises.

ALTER TABLE creators
    ADD COLUMN bio text NOT NULL DEFAULT ''
        CONSTRAINT creators_bio_length CHECK (char_length(bio) <= 2000),
    ADD COLUMN branding jsonb NOT NULL DEFAULT '{}'::jsonb
        CONSTRAINT creators_branding_object CHECK (jsonb_typeof(branding) = 'object'),
    ADD COLUMN persona jsonb NOT NULL DEFAULT '{}'::jsonb
        CONSTRAINT creators_persona_object CHECK (jsonb_typeof(persona) = 'object'),
    ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}'
        CONSTRAINT creators_allowed_origins_count CHECK (cardinality(allowed_origins) <= 20);
