CREATE TABLE leads (
    id                    uuid PRIMARY KEY,
    company               text NOT NULL CHECK (length(company) BETWEEN 1 AND 200),
    contact_name          text NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 120),
    email                 text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    phone                 text CHECK (length(phone) <= 32),
    kind                  text NOT NULL
                          CHECK (kind IN ('catering', 'corporate_account', 'private_event')),
    headcount             integer NOT NULL CHECK (headcount BETWEEN 1 AND 5000),
    budget_cents          bigint CHECK (budget_cents >= 0),
    event_date            date,
    -- The chain's locations live in sales-agent; the ids are stable slugs.
    preferred_location_id text NOT NULL CHECK (preferred_location_id IN
                          ('riverside', 'old-town', 'harbour-front', 'university', 'airport',
                           'midtown')),
    source                text NOT NULL CHECK (source IN
                          ('website_form', 'referral', 'event', 'cold_outreach', 'telegram')),
    notes                 text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    stage                 text NOT NULL CHECK (stage IN
                          ('new', 'contacted', 'qualified', 'proposal', 'won', 'lost')),
    stage_changed_at      timestamptz NOT NULL,
    lost_reason           text CHECK (length(lost_reason) <= 500),
    score                 smallint CHECK (score BETWEEN 0 AND 100),
    score_partial         boolean,
    score_rationale       jsonb,
    scored_at             timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    CHECK ((stage = 'lost') = (lost_reason IS NOT NULL)),
    CHECK (
        (score IS NULL AND score_partial IS NULL AND score_rationale IS NULL AND scored_at IS NULL)
        OR (score IS NOT NULL AND score_partial IS NOT NULL AND score_rationale IS NOT NULL
            AND scored_at IS NOT NULL)
    )
);
-- Keyset pagination, newest first.
CREATE INDEX leads_created ON leads (created_at DESC, id DESC);
CREATE INDEX leads_stage ON leads (stage, stage_changed_at);

CREATE TABLE lead_stage_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id     uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    -- NULL on the first event: the lead was captured.
    from_stage  text CHECK (from_stage IN
                ('new', 'contacted', 'qualified', 'proposal', 'won', 'lost')),
    to_stage    text NOT NULL CHECK (to_stage IN
                ('new', 'contacted', 'qualified', 'proposal', 'won', 'lost')),
    at          timestamptz NOT NULL,
    note        text CHECK (length(note) <= 1000),
    CHECK (from_stage IS DISTINCT FROM to_stage)
);
CREATE INDEX lead_stage_events_lead ON lead_stage_events (lead_id, at, id);
CREATE INDEX lead_stage_events_to_stage ON lead_stage_events (to_stage, at);

-- One row once the demo data set has been written, so restarts never seed twice.
CREATE TABLE seed_state (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    dataset    text NOT NULL,
    end_day    date NOT NULL,
    seeded_at  timestamptz NOT NULL DEFAULT now()
);
