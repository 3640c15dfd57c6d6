-- The payment-service's database: one payment per order, and its outbox.

-- At most one charge per order: the correlation id is the key. A completed payment has
-- the provider's id; a failed one has the reason it was declined.
CREATE TABLE payments (
    correlation_id   TEXT    NOT NULL PRIMARY KEY,
    status           TEXT    NOT NULL CHECK (status IN ('completed', 'failed')),
    amount           REAL    NOT NULL CHECK (amount > 0),
    customer_id      TEXT    NOT NULL,
    payment_id       TEXT,
    reason           TEXT,
    created_at       TEXT    NOT NULL,
    source_topic     TEXT    NOT NULL,
    source_partition INTEGER NOT NULL,
    source_offset    INTEGER NOT NULL,
    CONSTRAINT payments_id_when_completed CHECK ((status = 'completed') = (payment_id IS NOT NULL))
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
