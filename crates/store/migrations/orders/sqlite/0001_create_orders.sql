-- The orders the order-service keeps, one row per correlation id.
--
-- The primary key is the idempotency key: a redelivered event, or two consumers racing on
-- the same event, can never make a second row, whatever the application does.
-- Timestamps are TEXT in one fixed-width UTC form, 'YYYY-MM-DDTHH:MM:SS.ffffffZ', so that
-- text order is time order and microseconds round-trip exactly (and the sqlite3 shell
-- shows them readably). STRICT makes SQLite refuse a value of the wrong type.
CREATE TABLE orders (
    correlation_id   TEXT    NOT NULL PRIMARY KEY,
    customer_id      TEXT    NOT NULL,
    items            TEXT    NOT NULL CHECK (json_valid(items)),
    total_amount     REAL    NOT NULL,
    status           TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    persisted_at     TEXT    NOT NULL,
    source_topic     TEXT,
    source_partition INTEGER,
    source_offset    INTEGER,
    -- A source position is all three or nothing.
    CONSTRAINT orders_source_complete CHECK (
        (source_topic IS NULL) = (source_partition IS NULL)
        AND (source_topic IS NULL) = (source_offset IS NULL)
    )
) STRICT;

-- "Most recent first", with the same tie-break as the query, so no sort is needed.
CREATE INDEX orders_by_persisted_at ON orders (persisted_at DESC, correlation_id);
