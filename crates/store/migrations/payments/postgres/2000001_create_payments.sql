-- The payment-service's database: one payment per order, and its outbox.

-- At most one charge per order: the correlation id is the key. A completed payment has
-- the provider's id; a failed one has the reason it was declined.
CREATE TABLE payments (
    correlation_id   text COLLATE "C" PRIMARY KEY,
    status           text             NOT NULL CHECK (status IN ('completed', 'failed')),
    amount           double precision NOT NULL CHECK (amount > 0),
    customer_id      text             NOT NULL,
    payment_id       text,
    reason           text,
    created_at       timestamptz      NOT NULL,
    source_topic     text             NOT NULL,
    source_partition integer          NOT NULL,
    source_offset    bigint           NOT NULL,
    CONSTRAINT payments_id_when_completed CHECK ((status = 'completed') = (payment_id IS NOT NULL))
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
