//! The ports the use cases need from the outside world: somewhere to publish events and
//! somewhere to keep orders. `orders-kafka` and `orders-store` implement them; tests of
//! pure logic can implement them in memory.

use crate::event::OrderCreated;
use crate::order::{CorrelationId, Order};
use crate::saga::EventKind;
use crate::saga::lifecycle::Outcome;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a record sits in the log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPosition {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The broker's acknowledgement of a published event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Published {
    pub partition: i32,
    pub offset: i64,
}

/// Why an event was not published. Every variant means the broker did not acknowledge
/// it, so the client may safely retry with the same correlation id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// The local queue of unacknowledged events is full: back off.
    #[error("too many events waiting for the broker")]
    Backpressure,
    /// The broker did not acknowledge the event before the deadline.
    #[error("the broker did not acknowledge the event in time")]
    Timeout,
    /// The broker or the client failed in a way that may pass (a broker down, a topic
    /// not created yet).
    #[error("the broker refused the event: {0}")]
    Broker(String),
    /// The broker will never take this record as it is (too large, invalid): retrying
    /// it unchanged cannot help.
    #[error("the broker will not take the record: {0}")]
    Refused(String),
}

impl PublishError {
    /// Whether the same record may be accepted later.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Refused(_))
    }
}

/// Publishes `order_created` events, answering only once the broker has them.
#[async_trait]
pub trait OrderPublisher: Send + Sync + std::fmt::Debug {
    async fn publish(&self, event: &OrderCreated) -> Result<Published, PublishError>;

    /// Succeeds when an event published now could be acknowledged: the readiness probe.
    async fn ready(&self) -> Result<(), PublishError>;
}

/// An order to keep: the event, where it came from, and when it is being persisted.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub event: OrderCreated,
    pub source: Option<EventPosition>,
    pub persisted_at: DateTime<Utc>,
}

/// What one batch did to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inserted {
    /// Orders that were new.
    pub created: usize,
    /// Orders already there with the same content (a redelivered event): left as they
    /// were.
    pub duplicates: usize,
    /// Orders of the batch whose correlation id already names an order with other
    /// content: not applied, so that the caller can set them aside.
    pub conflicts: Vec<Conflict>,
}

/// An order of a batch that reuses a correlation id for different content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Its index in the batch.
    pub index: usize,
    /// Which fields differ, for the dead-letter record and the log.
    pub reason: String,
}

/// Why the store did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is down, locked, or out of connections: the same call may succeed
    /// later, so the event must be retried, never set aside.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else (a bug, a schema that does not match): retrying will not help.
    #[error("the database failed: {0}")]
    Failed(String),
}

impl StoreError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// One event for the order-service to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderEvent {
    /// `order_created`: the order, pending.
    Created(NewOrder),
    /// An outcome of the saga for an order.
    Outcome {
        outcome: Outcome,
        source: EventPosition,
    },
}

/// Where the order-service announces final states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalTopics {
    pub confirmed: String,
    pub rejected: String,
}

/// What applying a batch of the order-service's events did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrderEventsApplied {
    /// Orders created.
    pub created: usize,
    /// Orders already there with the same content (a redelivered `order_created`).
    pub duplicates: usize,
    /// Events (by batch index) that reuse an order's id, or an outcome's, for other
    /// content: not applied, so that the caller can set them aside.
    pub conflicts: Vec<Conflict>,
    /// Outcomes recorded for the first time.
    pub outcomes: usize,
    /// Outcomes that were there already (redeliveries).
    pub duplicate_outcomes: usize,
    /// Of the new outcomes, those whose order has not arrived yet: kept until it does.
    pub held: usize,
    /// Orders that reached a final state, and were announced.
    pub confirmed: usize,
    pub rejected: usize,
}

/// Keeps orders, with the correlation id as the key that makes creation idempotent.
#[async_trait]
pub trait OrderStore: Send + Sync + std::fmt::Debug {
    /// Creates every order of the batch that does not exist yet, in one transaction:
    /// either all of the batch is durable or none of it is.
    async fn insert(&self, orders: &[NewOrder]) -> Result<Inserted, StoreError>;

    /// Applies a batch of events in one transaction: creates orders, records outcomes,
    /// moves every order whose outcome is known to its final state and writes the
    /// announcement of each (to `finals`, with the trace context of the event that
    /// decided it) to the outbox. `traces[i]` is the trace context of `batch[i]`.
    /// Applying the same batch again changes nothing.
    async fn apply(
        &self,
        batch: &[OrderEvent],
        traces: &[Vec<(String, Vec<u8>)>],
        finals: &FinalTopics,
    ) -> Result<OrderEventsApplied, StoreError>;

    /// The order with this correlation id.
    async fn get(&self, id: &CorrelationId) -> Result<Option<Order>, StoreError>;

    /// Every stored row for these ids (more than one per id would be a duplicate).
    async fn lookup(&self, ids: &[CorrelationId]) -> Result<Vec<Order>, StoreError>;

    /// The most recently persisted orders, newest first.
    async fn recent(&self, limit: u32) -> Result<Vec<Order>, StoreError>;

    /// Succeeds when the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The database product as OpenTelemetry names it (`sqlite`, `postgresql`), for
    /// spans and metrics.
    fn system(&self) -> &'static str;
}

/// An event a service publishes, written to its outbox in the same transaction as the
/// change of state that causes it, and published from there by a relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEvent {
    /// Unique per event, the same on every attempt to publish it (the `event-id`
    /// header): consumers can drop repeats by it, and a relay recognises what it already
    /// published.
    pub event_id: Uuid,
    pub kind: EventKind,
    pub topic: String,
    /// The record key: the order's correlation id.
    pub key: CorrelationId,
    pub value: Vec<u8>,
    /// `traceparent`/`tracestate` of the record that caused it.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// An event waiting in an outbox, by its place in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEvent {
    pub seq: i64,
    pub event: OutgoingEvent,
}

/// A service's outbox, as the relay that publishes it sees it.
#[async_trait]
pub trait Outbox: Send + Sync + std::fmt::Debug {
    /// The oldest events not yet published, in the order they were written.
    async fn queued(&self, limit: usize) -> Result<Vec<QueuedEvent>, StoreError>;

    /// Marks events as published where the broker put them (they leave the outbox), and
    /// remembers, per partition, the furthest offset published so far.
    async fn published(&self, done: &[(i64, EventPosition)]) -> Result<(), StoreError>;

    /// The furthest offset published per topic and partition.
    async fn positions(&self) -> Result<Vec<EventPosition>, StoreError>;

    /// Drops events the broker will never take (refused as they are), so that they do
    /// not hold back the ones after them.
    async fn discard(&self, seqs: &[i64]) -> Result<(), StoreError>;

    /// Remembers offsets for partitions that have none yet (a relay does so before it
    /// first publishes, so that it knows where to look after a crash).
    async fn seed_positions(&self, positions: &[EventPosition]) -> Result<(), StoreError>;

    /// Takes or renews the right to publish for `ttl`: one relay at a time per database,
    /// so that two service instances never publish the same event. False while another
    /// owner holds it.
    async fn lease(&self, owner: &str, ttl: std::time::Duration) -> Result<bool, StoreError>;

    /// Gives the lease up (at shutdown), so that another instance need not wait it out.
    async fn release(&self, owner: &str) -> Result<(), StoreError>;
}
