-- The morning briefing: which chats want it and when, and each briefing made.

-- Jobs that do not come from a Telegram update (briefings) carry their own trace context.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('update', 'approval', 'briefing'));
ALTER TABLE jobs ADD COLUMN trace_context jsonb;
-- Workers claim people's questions and bulk work (briefings) separately: a question is
-- found without walking past a morning's queued briefings.
CREATE INDEX jobs_open_by_kind ON jobs (kind, id) WHERE status IN ('queued', 'running');

-- A briefing's reply drafts are approvals too, offered as the numbered Post reply buttons
-- on the briefing itself instead of a prompt message of their own.
ALTER TABLE approvals ADD COLUMN briefing_button smallint;

-- One subscription per chat and forum topic (thread_id 0 outside topics). next_due_at is
-- the next moment (UTC) the briefing is due, computed from the local time in time_zone.
CREATE TABLE briefing_subscriptions (
    chat_id      bigint NOT NULL,
    thread_id    bigint NOT NULL DEFAULT 0,
    local_time   time NOT NULL,
    time_zone    text NOT NULL,
    next_due_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, thread_id)
);
CREATE INDEX briefing_subscriptions_due ON briefing_subscriptions (next_due_at);

-- Every scheduled briefing, one per chat, topic and local day: the unique key is what
-- makes a briefing exactly-once however many workers run the scheduler.
CREATE TABLE briefings (
    id          bigserial PRIMARY KEY,
    chat_id     bigint NOT NULL,
    thread_id   bigint NOT NULL DEFAULT 0,
    local_day   date NOT NULL,
    due_at      timestamptz NOT NULL,
    late        boolean NOT NULL DEFAULT false,
    status      text NOT NULL CHECK (status IN ('queued', 'sent', 'skipped')),
    job_id      bigint REFERENCES jobs (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    UNIQUE (chat_id, thread_id, local_day)
);
