-- The chain's restaurants (the same ids as sales-agent's); reference data, not demo data,
-- so a review can be checked against them whether or not the demo reviews are seeded.
CREATE TABLE locations (
    id    text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,40}$'),
    name  text NOT NULL
);
INSERT INTO locations (id, name) VALUES
    ('riverside', 'Riverside'),
    ('old-town', 'Old Town'),
    ('harbour-front', 'Harbour Front'),
    ('university', 'University'),
    ('airport', 'Airport'),
    ('midtown', 'Midtown');

CREATE TABLE reviews (
    id          uuid PRIMARY KEY,
    location_id text NOT NULL REFERENCES locations (id),
    source      text NOT NULL CHECK (source IN ('google', 'tripadvisor', 'thefork', 'in_app')),
    rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title       text NOT NULL DEFAULT '' CHECK (char_length(title) <= 120),
    body        text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
    author      text NOT NULL CHECK (char_length(author) BETWEEN 1 AND 60),
    created_at  timestamptz NOT NULL,
    sentiment   text NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    -- Derived from the text at insert time by the service's classifier.
    themes      text[] NOT NULL DEFAULT '{}',
    inserted_at timestamptz NOT NULL DEFAULT now()
);
-- Newest-first keyset pagination, for the chain and per location.
CREATE INDEX reviews_newest ON reviews (created_at DESC, id DESC);
CREATE INDEX reviews_location_newest ON reviews (location_id, created_at DESC, id DESC);
CREATE INDEX reviews_themes ON reviews USING gin (themes);

CREATE TABLE review_replies (
    id          uuid PRIMARY KEY,
    review_id   uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    status      text NOT NULL CHECK (status IN ('draft', 'posted')),
    tone        text NOT NULL CHECK (tone IN ('apologetic', 'balanced', 'appreciative')),
    body        text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 900),
    themes      text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    posted_at   timestamptz,
    CHECK ((status = 'posted') = (posted_at IS NOT NULL))
);
CREATE INDEX review_replies_latest ON review_replies (review_id, created_at DESC, id DESC);
-- A review is answered publicly at most once.
CREATE UNIQUE INDEX review_replies_one_posted ON review_replies (review_id) WHERE status = 'posted';

-- One row once the demo data set has been written, so restarts never seed twice.
CREATE TABLE seed_state (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    dataset    text NOT NULL,
    end_day    date NOT NULL,
    seeded_at  timestamptz NOT NULL DEFAULT now()
);
