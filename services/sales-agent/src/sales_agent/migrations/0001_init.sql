CREATE TABLE locations (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,40}$'),
    name        text NOT NULL,
    address     text NOT NULL,
    city        text NOT NULL,
    timezone    text NOT NULL,
    seats       integer NOT NULL CHECK (seats > 0),
    opened_on   date NOT NULL
);

CREATE TABLE menu_items (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,60}$'),
    name        text NOT NULL,
    category    text NOT NULL CHECK (category IN ('starter', 'main', 'dessert', 'drink', 'catering')),
    price_cents integer NOT NULL CHECK (price_cents > 0)
);

CREATE TABLE daily_sales (
    location_id   text NOT NULL REFERENCES locations (id),
    day           date NOT NULL,
    orders        integer NOT NULL CHECK (orders >= 0),
    covers        integer NOT NULL CHECK (covers >= 0),
    revenue_cents bigint NOT NULL CHECK (revenue_cents >= 0),
    PRIMARY KEY (location_id, day)
);
CREATE INDEX daily_sales_day ON daily_sales (day);

CREATE TABLE daily_item_sales (
    location_id   text NOT NULL REFERENCES locations (id),
    day           date NOT NULL,
    item_id       text NOT NULL REFERENCES menu_items (id),
    quantity      integer NOT NULL CHECK (quantity >= 0),
    revenue_cents bigint NOT NULL CHECK (revenue_cents >= 0),
    PRIMARY KEY (location_id, day, item_id)
);
CREATE INDEX daily_item_sales_day ON daily_item_sales (day, item_id);

-- One row once the demo data set has been written, so restarts never seed twice.
CREATE TABLE seed_state (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    dataset    text NOT NULL,
    end_day    date NOT NULL,
    seeded_at  timestamptz NOT NULL DEFAULT now()
);
