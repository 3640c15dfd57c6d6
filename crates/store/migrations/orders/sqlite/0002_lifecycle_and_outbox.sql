-- The order's life after pending, and the outbox its final events leave from.

-- confirmed or rejected; `reason` says why a rejected order was, `decided_at` when.
ALTER TABLE orders ADD COLUMN reason TEXT;
ALTER TABLE orders ADD COLUMN decided_at TEXT;

-- Every step of an order: pending when order_created came, then its final state, each
-- with the event (topic, partition, offset) that caused it.
CREATE TABLE order_transitions (
    correlation_id   TEXT    NOT NULL REFERENCES orders (correlation_id),
    to_status        TEXT    NOT NULL,
    from_status      TEXT,
    reason           TEXT,
    at               TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    source_topic     TEXT,
    source_partition INTEGER,
    source_offset    INTEGER,
    PRIMARY KEY (correlation_id, to_status)
) STRICT;

-- Every outcome of the saga received for an order (inventory_rejected,
-- payment_completed, payment_failed), kept as it came: it may come before the order
-- itself, and the final state is decided from all of them once the order is there.
CREATE TABLE order_outcomes (
    correlation_id   TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    trace            TEXT    NOT NULL,
    received_at      TEXT    NOT NULL,
    source_topic     TEXT    NOT NULL,
    source_partition INTEGER NOT NULL,
    source_offset    INTEGER NOT NULL,
    PRIMARY KEY (correlation_id, event_type)
) STRICT;

-- The transactional outbox: events written with the state change that causes them,
-- published by the relay, deleted once the broker has them.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL UNIQUE,
    event_type TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      BLOB    NOT NULL,
    headers    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;

-- The furthest offset the relay published per partition: where it looks, after a crash,
-- for what it published but had not yet marked.
CREATE TABLE outbox_positions (
    topic       TEXT    NOT NULL,
    partition   INTEGER NOT NULL,
    last_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
) STRICT;

-- Who may publish: one relay per database at a time.
CREATE TABLE relay_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    owner      TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) STRICT;
