-- Every Bot API call that sends or edits, from every replica, queued here and sent by the
-- one replica holding the sender lock, paced to the token's flood limits. (job_id, seq)
-- makes a retried job's reply chunk the same row, so it is never sent twice.
CREATE TABLE outbound (
    id          bigserial PRIMARY KEY,
    job_id      bigint,
    seq         integer,
    chat_id     bigint NOT NULL,
    priority    smallint NOT NULL DEFAULT 0,
    method      text NOT NULL,
    params      jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    result      jsonb,
    error       text,
    attempts    integer NOT NULL DEFAULT 0,
    flood_waits integer NOT NULL DEFAULT 0,
    not_before  timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    UNIQUE (job_id, seq)
);
CREATE INDEX outbound_open ON outbound (priority, id) WHERE status IN ('queued', 'sending');

CREATE FUNCTION notify_outbound() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gateway_outbound', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbound_notify AFTER INSERT ON outbound
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbound();

-- The outbound rows replace it: a reply chunk is an outbound row keyed by (job_id, seq).
DROP TABLE replies;
