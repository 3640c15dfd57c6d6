-- The orders the order-service keeps, one row per correlation id.
--
-- The primary key is the idempotency key: a redelivered event, or two consumers racing on
-- the same event, can never make a second row, whatever the application does.
-- correlation_id uses the "C" collation so that ids sort byte by byte, as they do in
-- SQLite and in Rust, whatever the database's locale.
CREATE TABLE orders (
    correlation_id   text COLLATE "C" PRIMARY KEY,
    customer_id      text             NOT NULL,
    items            jsonb            NOT NULL,
    total_amount     double precision NOT NULL,
    status           text             NOT NULL,
    created_at       timestamptz      NOT NULL,
    persisted_at     timestamptz      NOT NULL,
    source_topic     text,
    source_partition integer,
    source_offset    bigint,
    -- A source position is all three or nothing.
    CONSTRAINT orders_source_complete CHECK (num_nulls(source_topic, source_partition, source_offset) IN (0, 3))
);

-- "Most recent first", with the same tie-break as the query, so no sort is needed.
CREATE INDEX orders_by_persisted_at ON orders (persisted_at DESC, correlation_id);
