//! What a service brings to the runtime: how to read one record, and how to apply a batch
//! of them to its store. Everything else (the group, batches, offsets, retries, dead
//! letters, the outbox relay, health and the admin HTTP) is the runtime's.

use async_trait::async_trait;
use orders_core::{EventPosition, StoreError};
use orders_kafka::ReceivedRecord;
use std::borrow::Cow;
use std::fmt;

/// A consuming service, reduced to its decisions.
///
/// `decide` is pure (testable without a broker); `apply` writes one batch to the
/// service's store in one transaction (its state and, through its outbox, the events it
/// publishes), so that a batch is either wholly applied or not at all and applying it
/// again after a crash changes nothing.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// What a valid record becomes.
    type Input: Send + Sync + 'static;

    /// The counters this service adds to `/stats` and `/metrics`, beside the runtime's.
    fn counters(&self) -> &'static [Counter] {
        &[]
    }

    /// Reads one record: what to apply, or why it can never be applied (then it is
    /// dead-lettered with that reason and the group moves on).
    fn decide(&self, record: &ReceivedRecord) -> Result<Self::Input, Rejection>;

    /// Applies a batch, all of it or none of it. A retryable [`StoreError`] is retried
    /// with backoff while the member keeps its partitions paused; a permanent one makes
    /// the runtime split the batch until it finds the records the store refuses, which
    /// are dead-lettered with the store's reason while the rest are applied. Records that
    /// the store takes but the service refuses (a conflicting duplicate, say) are
    /// returned in [`Applied::rejected`].
    async fn apply(&self, batch: &[Item<Self::Input>]) -> Result<Applied, StoreError>;

    /// Succeeds when the service's own dependencies (its store) answer: part of
    /// `/readyz`.
    async fn ready(&self) -> Result<(), StoreError>;

    /// How the store write of a batch appears in traces.
    fn store_span(&self) -> StoreSpan;

    /// The service's outbox, when it publishes events: the runtime runs its relay.
    fn outbox(&self) -> Option<crate::relay::OutboxSpec> {
        None
    }
}

/// One record's input, with where it came from and the trace context that the events it
/// causes must carry on.
#[derive(Debug, Clone)]
pub struct Item<I> {
    pub input: I,
    pub source: EventPosition,
    /// Milliseconds since the epoch, when the broker gave a timestamp.
    pub timestamp_ms: Option<i64>,
    /// `traceparent`/`tracestate` for the events this record causes: the record's own
    /// span when traces are exported, else the context the record arrived with.
    pub trace: Vec<(String, Vec<u8>)>,
}

/// What applying a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Additions to the service's [`Counter`]s, by `stat` name.
    pub counts: Vec<(&'static str, u64)>,
    /// Records (by index in the batch) that the service refuses although the store
    /// could take them: they are dead-lettered, and nothing of theirs was applied.
    pub rejected: Vec<(usize, Rejection)>,
}

impl Applied {
    pub fn count(&mut self, stat: &'static str, n: u64) {
        match self.counts.iter_mut().find(|(s, _)| *s == stat) {
            Some((_, total)) => *total += n,
            None => self.counts.push((stat, n)),
        }
    }

    /// Folds another batch's outcome in, its rejected indices moved by `offset`.
    pub(crate) fn merge(&mut self, other: Applied, offset: usize) {
        for (stat, n) in other.counts {
            self.count(stat, n);
        }
        self.rejected.extend(
            other
                .rejected
                .into_iter()
                .map(|(i, rejection)| (i + offset, rejection)),
        );
    }
}

/// A counter a service reports: `stat` in `/stats`, `metric` in `/metrics` (with a
/// `service` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub stat: &'static str,
    pub metric: &'static str,
}

/// Why a record is set aside: a short stable `kind` for metrics and the `dlt-error-kind`
/// header, and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub kind: Cow<'static, str>,
    pub message: String,
}

impl Rejection {
    pub fn new(kind: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The span around a batch's store write, per record (OpenTelemetry database
/// conventions): `otel.name` is `"{operation} {collection}"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSpan {
    /// `sqlite`, `postgresql`.
    pub system: &'static str,
    pub operation: &'static str,
    pub collection: &'static str,
}
