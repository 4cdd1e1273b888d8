-- The AI Engine's model registry writes what Ollama reports into `models` (platform data, no
-- tenant): the context length sizes `num_ctx` of chats, and the engine needs INSERT/UPDATE to
-- record refreshes and pulls. Conversations are listed newest first by their immutable
-- creation time, so keyset pages stay stable while a conversation gains messages.

ALTER TABLE models ADD COLUMN context_length integer
    CONSTRAINT models_context_length_positive CHECK (context_length > 0);

GRANT INSERT, UPDATE ON models TO coachai_app;

CREATE INDEX conversations_user_created_idx
    ON conversations (creator_id, user_id, created_at DESC, id DESC);
