-- The notification-service's database: the customer directory, one notification per
-- order, outcome and channel, and the outbox of its dead letters.

-- Who to tell, and how: an email address, and whether the customer opted in to the
-- webhook (which matters only with --webhook-opt-in).
CREATE TABLE customers (
    customer_id text COLLATE "C" PRIMARY KEY,
    email       text,
    webhook     boolean     NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL
);

-- Exactly one per order, outcome and channel: the unique key makes a redelivered or
-- replayed event a duplicate, never a second notification. `id` is the Idempotency-Key
-- (webhook) and the Message-ID (email), the same on every attempt.
--
-- pending: waiting to be sent (again at next_attempt_at); sent; failed: past the retry
-- budget or refused for good (and dead-lettered); skipped: never to be sent (reason).
-- A claim (lease_owner, lease_until) keeps two delivery workers off one notification;
-- it lapses by itself after a crash, and the notification is sent after the restart.
-- The source_* columns are the record the notification came from, kept to write its
-- dead letter.
CREATE TABLE notifications (
    id               text COLLATE "C" PRIMARY KEY,
    correlation_id   text COLLATE "C" NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('confirmed', 'rejected')),
    channel          text        NOT NULL CHECK (channel IN ('webhook', 'email', 'log')),
    customer_id      text        NOT NULL,
    recipient        text,
    state            text        NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    replays          integer     NOT NULL DEFAULT 0 CHECK (replays >= 0),
    reason           text,
    last_error       text,
    event            bytea       NOT NULL,
    event_id         text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    next_attempt_at  timestamptz,
    sent_at          timestamptz,
    lease_owner      text,
    lease_until      timestamptz,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    source_timestamp bigint,
    source_key       bytea,
    source_headers   text        NOT NULL,
    UNIQUE (correlation_id, outcome, channel),
    CONSTRAINT notifications_due_when_pending CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL))
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_recent ON notifications (created_at);

-- The transactional outbox: dead letters written with the state change that causes them,
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
