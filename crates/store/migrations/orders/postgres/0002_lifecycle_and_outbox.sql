-- The order's life after pending, and the outbox its final events leave from.

-- confirmed or rejected; `reason` says why a rejected order was, `decided_at` when.
ALTER TABLE orders ADD COLUMN reason text;
ALTER TABLE orders ADD COLUMN decided_at timestamptz;

-- Every step of an order: pending when order_created came, then its final state, each
-- with the event (topic, partition, offset) that caused it.
CREATE TABLE order_transitions (
    correlation_id   text COLLATE "C" NOT NULL REFERENCES orders (correlation_id),
    to_status        text        NOT NULL,
    from_status      text,
    reason           text,
    at               timestamptz NOT NULL,
    event_type       text        NOT NULL,
    source_topic     text,
    source_partition integer,
    source_offset    bigint,
    PRIMARY KEY (correlation_id, to_status)
);

-- Every outcome of the saga received for an order (inventory_rejected,
-- payment_completed, payment_failed), kept as it came: it may come before the order
-- itself, and the final state is decided from all of them once the order is there.
CREATE TABLE order_outcomes (
    correlation_id   text COLLATE "C" NOT NULL,
    event_type       text        NOT NULL,
    event            text        NOT NULL,
    trace            text        NOT NULL,
    received_at      timestamptz NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
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
