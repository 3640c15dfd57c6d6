-- The inventory-service's database: stock, reservations, and its outbox.

-- Units available per SKU. Never negative: the database refuses an oversell even if a
-- bug in the service tried one.
CREATE TABLE stock (
    sku        text COLLATE "C" PRIMARY KEY,
    available  bigint      NOT NULL CHECK (available >= 0),
    updated_at timestamptz NOT NULL
);

-- One per order: reserved (units held), committed (paid: the units are sold), released
-- (payment failed: the units went back), rejected (nothing was ever held).
CREATE TABLE reservations (
    correlation_id   text COLLATE "C" PRIMARY KEY,
    status           text        NOT NULL
        CHECK (status IN ('reserved', 'committed', 'released', 'rejected')),
    reason           text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL
);

-- The units of each SKU an order asked for (its items with one SKU added up).
CREATE TABLE reservation_items (
    correlation_id text COLLATE "C" NOT NULL REFERENCES reservations (correlation_id),
    sku            text COLLATE "C" NOT NULL,
    units          bigint NOT NULL CHECK (units > 0),
    PRIMARY KEY (correlation_id, sku)
);

-- payment_completed / payment_failed received before the order's order_created: kept
-- until the reservation exists, then applied.
CREATE TABLE held_events (
    correlation_id text COLLATE "C" NOT NULL,
    event_type     text        NOT NULL,
    event          text        NOT NULL,
    trace          text        NOT NULL,
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (correlation_id, event_type)
);

-- The transactional outbox: events written with the state change that causes them,
-- published by the relay, deleted once the broker has them.
CREATE TABLE outbox (
    seq        bigserial   PRIMARY KEY,
    event_id   text        NOT NULL UNIQUE,
    event_type text        NOT NULL,
    topic      text        NOT NULL,
    key        text        NOT NULL,
    value      bytea       NOT NULL,
    headers    text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- The furthest offset the relay published per partition: where it looks, after a crash,
-- for what it published but had not yet marked.
CREATE TABLE outbox_positions (
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    last_offset bigint  NOT NULL,
    PRIMARY KEY (topic, partition)
);

-- Who may publish: one relay per database at a time.
CREATE TABLE relay_lease (
    id         integer     PRIMARY KEY CHECK (id = 1),
    owner      text        NOT NULL,
    expires_at timestamptz NOT NULL
);
