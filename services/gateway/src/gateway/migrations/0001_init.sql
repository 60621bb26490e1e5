-- Every Telegram update ever accepted, keyed by update_id: a duplicate delivery is a no-op.
CREATE TABLE telegram_updates (
    update_id     bigint PRIMARY KEY,
    kind          text NOT NULL,
    chat_id       bigint,
    payload       jsonb NOT NULL,
    trace_context jsonb NOT NULL DEFAULT '{}'::jsonb,
    received_at   timestamptz NOT NULL DEFAULT now()
);

-- The work queue. Jobs sharing an ordering_key (one chat, or one forum topic) run one at a
-- time in id order; different keys run concurrently. A running job holds a lease that its
-- worker renews; when the worker dies the lease runs out and another worker takes over.
CREATE TABLE jobs (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('update', 'approval')),
    ordering_key  text NOT NULL,
    update_id     bigint UNIQUE REFERENCES telegram_updates (update_id),
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts      integer NOT NULL DEFAULT 0,
    run_after     timestamptz NOT NULL DEFAULT now(),
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX jobs_open_by_key ON jobs (ordering_key, id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_open ON jobs (id) WHERE status IN ('queued', 'running');

CREATE FUNCTION notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gateway_jobs', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH STATEMENT EXECUTE FUNCTION notify_jobs();

-- What we know about chats: blocked by the user, migrated to a supergroup.
CREATE TABLE chats (
    chat_id      bigint PRIMARY KEY,
    blocked_at   timestamptz,
    migrated_to  bigint,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversations (
    id          uuid PRIMARY KEY,
    channel     text NOT NULL CHECK (channel IN ('telegram', 'api', 'web')),
    chat_key    text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE UNIQUE INDEX conversations_open ON conversations (chat_key) WHERE ended_at IS NULL;

-- One row per answered question: the whole exchange, for diagnosing a wrong answer later.
CREATE TABLE turns (
    id                     bigserial PRIMARY KEY,
    conversation_id        uuid NOT NULL REFERENCES conversations (id),
    job_id                 bigint UNIQUE REFERENCES jobs (id),
    question               text NOT NULL,
    answer                 text NOT NULL,
    messages               jsonb NOT NULL,
    tool_calls             jsonb NOT NULL DEFAULT '[]'::jsonb,
    model                  text NOT NULL,
    stop_reason            text NOT NULL,
    rounds                 integer NOT NULL,
    input_tokens           integer NOT NULL,
    output_tokens          integer NOT NULL,
    cache_read_tokens      integer NOT NULL,
    cache_creation_tokens  integer NOT NULL,
    latency_ms             integer NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX turns_by_conversation ON turns (conversation_id, id);

-- Replies sent for a job, chunk by chunk, so a retried job never sends a chunk twice.
CREATE TABLE replies (
    job_id      bigint NOT NULL REFERENCES jobs (id),
    seq         integer NOT NULL,
    chat_id     bigint NOT NULL,
    message_id  bigint NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, seq)
);

-- Writes the model proposed, waiting for the user's decision; they survive restarts.
CREATE TABLE approvals (
    id               uuid PRIMARY KEY,
    conversation_id  uuid NOT NULL REFERENCES conversations (id),
    chat_id          bigint NOT NULL,
    thread_id        bigint,
    tool_name        text NOT NULL,
    input            jsonb NOT NULL,
    summary          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'cancelled', 'expired', 'done', 'failed')),
    message_id       bigint,
    result           jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    decided_at       timestamptz
);
CREATE INDEX approvals_pending ON approvals (chat_id) WHERE status = 'pending';

-- Results of read tools that declare a cache lifetime, keyed by tool and arguments.
CREATE TABLE tool_cache (
    tool_name   text NOT NULL,
    args_hash   text NOT NULL,
    result      jsonb NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tool_name, args_hash)
);

-- The long-polling offset, so a restart neither loses nor repeats updates.
CREATE TABLE polling_state (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    next_offset bigint NOT NULL
);
