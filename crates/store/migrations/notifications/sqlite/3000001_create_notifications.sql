-- The notification-service's database: the customer directory, one notification per
-- order, outcome and channel, and the outbox of its dead letters.

-- Who to tell, and how: an email address, and whether the customer opted in to the
-- webhook (which matters only with --webhook-opt-in).
CREATE TABLE customers (
    customer_id TEXT    NOT NULL PRIMARY KEY,
    email       TEXT,
    webhook     INTEGER NOT NULL DEFAULT 0 CHECK (webhook IN (0, 1)),
    updated_at  TEXT    NOT NULL
) STRICT;

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
    id               TEXT    NOT NULL PRIMARY KEY,
    correlation_id   TEXT    NOT NULL,
    outcome          TEXT    NOT NULL CHECK (outcome IN ('confirmed', 'rejected')),
    channel          TEXT    NOT NULL CHECK (channel IN ('webhook', 'email', 'log')),
    customer_id      TEXT    NOT NULL,
    recipient        TEXT,
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    replays          INTEGER NOT NULL DEFAULT 0 CHECK (replays >= 0),
    reason           TEXT,
    last_error       TEXT,
    event            BLOB    NOT NULL,
    event_id         TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    next_attempt_at  TEXT,
    sent_at          TEXT,
    lease_owner      TEXT,
    lease_until      TEXT,
    source_topic     TEXT    NOT NULL,
    source_partition INTEGER NOT NULL,
    source_offset    INTEGER NOT NULL,
    source_timestamp INTEGER,
    source_key       BLOB,
    source_headers   TEXT    NOT NULL,
    UNIQUE (correlation_id, outcome, channel),
    CONSTRAINT notifications_due_when_pending CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL))
) STRICT;

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_recent ON notifications (created_at);

-- The transactional outbox: dead letters written with the state change that causes them,
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
