-- Human handoff and escalation (issue 14): who answers a conversation, why it needs the coach's
-- attention, and the coach's own messages.
--
-- handled_by: 'ai' (the AI Engine answers) or 'coach' (the AI Engine stores the client's message
-- and answers nothing; the coach replies through the Channel). handled_by_user: the staff user
-- who took it over. attention: why the coach should look ('escalation': a message matched the
-- creator's escalation topics or the safety list; 'handoff_requested'), with attention_at.
ALTER TABLE conversations
    ADD COLUMN handled_by text NOT NULL DEFAULT 'ai'
        CONSTRAINT conversations_handled_by CHECK (handled_by IN ('ai', 'coach')),
    ADD COLUMN handled_by_user uuid NULL,
    ADD COLUMN attention text NULL
        CONSTRAINT conversations_attention CHECK (attention IN ('escalation', 'handoff_requested')),
    ADD COLUMN attention_at timestamptz NULL;

-- The coach's list (GET /api/v1/channels/conversations): per creator, newest attention (or, for a
-- conversation without attention, newest activity) first.
CREATE INDEX conversations_attention_idx ON conversations
    (creator_id, (coalesce(attention_at, updated_at)) DESC, id DESC);

ALTER TABLE messages DROP CONSTRAINT messages_role;
ALTER TABLE messages ADD CONSTRAINT messages_role
    CHECK (role IN ('user', 'assistant', 'system', 'coach'));
