-- The inventory-service's database: stock, reservations, and its outbox.

-- Units available per SKU. Never negative: the database refuses an oversell even if a
-- bug in the service tried one.
CREATE TABLE stock (
    sku        TEXT    NOT NULL PRIMARY KEY,
    available  INTEGER NOT NULL CHECK (available >= 0),
    updated_at TEXT    NOT NULL
) STRICT;

-- One per order: reserved (units held), committed (paid: the units are sold), released
-- (payment failed: the units went back), rejected (nothing was ever held).
CREATE TABLE reservations (
    correlation_id   TEXT    NOT NULL PRIMARY KEY,
    status           TEXT    NOT NULL
        CHECK (status IN ('reserved', 'committed', 'released', 'rejected')),
    reason           TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    source_topic     TEXT    NOT NULL,
    source_partition INTEGER NOT NULL,
    source_offset    INTEGER NOT NULL
) STRICT;

-- The units of each SKU an order asked for (its items with one SKU added up).
CREATE TABLE reservation_items (
    correlation_id TEXT    NOT NULL REFERENCES reservations (correlation_id),
    sku            TEXT    NOT NULL,
    units          INTEGER NOT NULL CHECK (units > 0),
    PRIMARY KEY (correlation_id, sku)
) STRICT;

-- payment_completed / payment_failed received before the order's order_created: kept
-- until the reservation exists, then applied.
CREATE TABLE held_events (
    correlation_id TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    event          TEXT NOT NULL,
    trace          TEXT NOT NULL,
    received_at    TEXT NOT NULL,
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
