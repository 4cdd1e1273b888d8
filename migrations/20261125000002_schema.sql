-- The schema of the four services. Every tenant table carries creator_id NOT NULL, has row
-- level security enabled AND forced, a tenant isolation policy keyed on the transaction's
-- creator, and indexes that lead with creator_id.

CREATE TABLE creators (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Equal to id; present so the tenant root obeys the same rule as every tenant table.
    creator_id      uuid GENERATED ALWAYS AS (id) STORED NOT NULL,
    slug            citext NOT NULL UNIQUE
                    CONSTRAINT creators_slug_format CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$'),
    display_name    text NOT NULL CONSTRAINT creators_display_name_length
                    CHECK (char_length(display_name) BETWEEN 1 AND 200),
    plan            text NOT NULL DEFAULT 'free',
    status          text NOT NULL DEFAULT 'active'
                    CONSTRAINT creators_status CHECK (status IN ('active', 'suspended', 'deleting')),
    chat_model      text NOT NULL DEFAULT 'llama2:7b-chat',
    embedding_model text NOT NULL DEFAULT 'nomic-embed-text',
    settings        jsonb NOT NULL DEFAULT '{}'::jsonb,
    quotas          jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX creators_creator_id_idx ON creators (creator_id);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id    uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    email         citext NOT NULL CONSTRAINT users_email_length CHECK (char_length(email) <= 254),
    password_hash text,
    role          text NOT NULL CONSTRAINT users_role CHECK (role IN ('owner', 'admin', 'coach', 'client')),
    status        text NOT NULL DEFAULT 'active' CONSTRAINT users_status CHECK (status IN ('active', 'deactivated')),
    display_name  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_creator_email_key UNIQUE (creator_id, email),
    CONSTRAINT users_creator_id_id_key UNIQUE (creator_id, id)
);

CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id  uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    family_id   uuid NOT NULL,
    parent_id   uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    token_hash  bytea NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE,
    status      text NOT NULL DEFAULT 'active'
                CONSTRAINT refresh_tokens_status CHECK (status IN ('active', 'rotated', 'revoked')),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    revoked_at  timestamptz,
    FOREIGN KEY (creator_id, user_id) REFERENCES users (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (creator_id, family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (creator_id, user_id);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id   uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    created_by   uuid NOT NULL,
    name         text NOT NULL CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    prefix       text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
    key_hash     bytea NOT NULL,
    scopes       text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    FOREIGN KEY (creator_id, created_by) REFERENCES users (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_creator_idx ON api_keys (creator_id, created_at DESC);

CREATE TABLE invitations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id  uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    email       citext NOT NULL,
    role        text NOT NULL CONSTRAINT invitations_role CHECK (role IN ('admin', 'coach', 'client')),
    token_hash  bytea NOT NULL CONSTRAINT invitations_token_hash_key UNIQUE,
    invited_by  uuid NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (creator_id, invited_by) REFERENCES users (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX invitations_creator_idx ON invitations (creator_id, created_at DESC);

CREATE TABLE content_items (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id      uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    title           text NOT NULL CONSTRAINT content_items_title_length CHECK (char_length(title) BETWEEN 1 AND 300),
    kind            text NOT NULL CONSTRAINT content_items_kind CHECK (kind IN ('note', 'transcript', 'pdf', 'markdown', 'text')),
    source_filename text,
    mime_type       text,
    size_bytes      bigint NOT NULL DEFAULT 0 CONSTRAINT content_items_size CHECK (size_bytes >= 0),
    sha256          bytea,
    status          text NOT NULL DEFAULT 'pending'
                    CONSTRAINT content_items_status CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    failure_reason  text,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT content_items_creator_id_id_key UNIQUE (creator_id, id)
);
CREATE INDEX content_items_creator_idx ON content_items (creator_id, created_at DESC);

CREATE TABLE content_chunks (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id   uuid NOT NULL,
    content_id   uuid NOT NULL,
    chunk_index  integer NOT NULL CONSTRAINT content_chunks_index CHECK (chunk_index >= 0),
    body         text NOT NULL,
    token_count  integer NOT NULL DEFAULT 0,
    -- Full-text fallback when ChromaDB is down.
    tsv          tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    embedding_id text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (creator_id, content_id) REFERENCES content_items (creator_id, id) ON DELETE CASCADE,
    CONSTRAINT content_chunks_position_key UNIQUE (creator_id, content_id, chunk_index)
);
CREATE INDEX content_chunks_tsv_idx ON content_chunks USING gin (creator_id, tsv);

CREATE TABLE ingestion_jobs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id   uuid NOT NULL,
    content_id   uuid NOT NULL,
    status       text NOT NULL DEFAULT 'queued'
                 CONSTRAINT ingestion_jobs_status CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5,
    next_run_at  timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (creator_id, content_id) REFERENCES content_items (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX ingestion_jobs_due_idx ON ingestion_jobs (creator_id, status, next_run_at);

CREATE TABLE conversations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    channel    text NOT NULL DEFAULT 'web',
    title      text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (creator_id, user_id) REFERENCES users (creator_id, id) ON DELETE CASCADE,
    CONSTRAINT conversations_creator_id_id_key UNIQUE (creator_id, id)
);
CREATE INDEX conversations_user_idx ON conversations (creator_id, user_id, updated_at DESC);

CREATE TABLE messages (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id       uuid NOT NULL,
    conversation_id  uuid NOT NULL,
    role             text NOT NULL CONSTRAINT messages_role CHECK (role IN ('user', 'assistant', 'system')),
    body             text NOT NULL,
    model            text,
    template_id      uuid,
    template_version integer,
    degraded         boolean NOT NULL DEFAULT false,
    sources          jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (creator_id, conversation_id) REFERENCES conversations (creator_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation_idx ON messages (creator_id, conversation_id, created_at);

-- Global default templates: not tenant data, readable by every service.
CREATE TABLE prompt_template_defaults (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL,
    version    integer NOT NULL,
    body       text NOT NULL,
    active     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prompt_template_defaults_version_key UNIQUE (name, version)
);

-- A creator's own versions of a template.
CREATE TABLE prompt_templates (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    name       text NOT NULL,
    version    integer NOT NULL CONSTRAINT prompt_templates_version CHECK (version > 0),
    body       text NOT NULL,
    active     boolean NOT NULL DEFAULT false,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prompt_templates_version_key UNIQUE (creator_id, name, version)
);
CREATE UNIQUE INDEX prompt_templates_one_active_idx ON prompt_templates (creator_id, name) WHERE active;

-- Models known to the Ollama server: platform data, fed by /api/tags and /api/show.
CREATE TABLE models (
    name           text PRIMARY KEY,
    digest         text,
    family         text,
    parameter_size text,
    quantization   text,
    size_bytes     bigint,
    capabilities   text[] NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'available'
                   CONSTRAINT models_status CHECK (status IN ('available', 'pulling', 'missing', 'failed')),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channel_connections (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id  uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    kind        text NOT NULL CONSTRAINT channel_connections_kind CHECK (kind IN ('web', 'websocket', 'telegram', 'whatsapp', 'slack', 'webhook')),
    name        text NOT NULL,
    config      jsonb NOT NULL DEFAULT '{}'::jsonb,
    secret_hash bytea,
    status      text NOT NULL DEFAULT 'active'
                CONSTRAINT channel_connections_status CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT channel_connections_name_key UNIQUE (creator_id, name)
);

-- Append-only: the application may insert and read, never change or delete.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    creator_id    uuid NOT NULL REFERENCES creators (id) ON DELETE CASCADE,
    actor_user_id uuid,
    actor_kind    text NOT NULL DEFAULT 'user'
                  CONSTRAINT audit_log_actor_kind CHECK (actor_kind IN ('user', 'api_key', 'system', 'anonymous')),
    action        text NOT NULL,
    target_type   text,
    target_id     text,
    ip            inet,
    user_agent    text,
    request_id    text,
    details       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_creator_idx ON audit_log (creator_id, created_at DESC);
