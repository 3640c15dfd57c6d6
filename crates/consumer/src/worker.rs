//! The loop around [`decide`](crate::handle::decide): take a batch, persist it, set aside
//! what can never be an order, store offsets; wait out what may succeed later.
//!
//! Offsets are stored only after the batch's orders are committed and its rejected
//! records are acknowledged on the dead-letter topic, so a crash at any point replays
//! work instead of losing it (the store makes the replay harmless). Failures that may
//! pass (database down, broker refusing the dead-letter write) are retried with capped
//! exponential backoff while the member stays in its group with its partitions paused;
//! nothing is dead-lettered because of them.

use crate::dead_letter::DeadLetters;
use crate::handle::{self, Decision};
use crate::status::Status;
use orders_core::CreateOrders;
use orders_kafka::ReceivedRecord;
use orders_kafka::consumer::GroupMember;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Capped exponential backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// A record and the rebalance generation it was received under.
#[derive(Debug)]
struct Received {
    record: ReceivedRecord,
    generation: u64,
}

pub(crate) struct Worker {
    pub(crate) member: GroupMember,
    pub(crate) create: CreateOrders,
    pub(crate) dead_letters: Option<DeadLetters>,
    pub(crate) status: Arc<Status>,
    pub(crate) group: String,
    pub(crate) max_batch: usize,
    pub(crate) backoff: Backoff,
}

type Shutdown<'a> = Pin<&'a mut (dyn Future<Output = ()> + Send)>;

/// Whether a batch was finished or abandoned because shutdown came first.
enum Finished {
    Yes,
    ShutdownFirst,
}

impl Worker {
    /// Consumes until `shutdown` completes, then commits what was stored.
    pub(crate) async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut shutdown: Shutdown<'_> = shutdown.as_mut();
        let mut pending = VecDeque::new();
        loop {
            if pending.is_empty() {
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    received = self.recv() => pending.extend(received),
                }
            }
            // Take what is already fetched without waiting: batches grow with the load,
            // and a lone event is persisted at once.
            while pending.len() < self.max_batch {
                match self.member.try_recv().await {
                    Some(Ok(record)) => pending.push_back(self.received(record)),
                    Some(Err(error)) => {
                        tracing::warn!(%error, "consumer error");
                        break;
                    }
                    None => break,
                }
            }
            let batch: Vec<_> = pending.drain(..pending.len().min(self.max_batch)).collect();
            if let Finished::ShutdownFirst = self.process(batch, &mut pending, &mut shutdown).await
            {
                break;
            }
        }
        match self.member.commit() {
            Ok(()) => tracing::info!("offsets committed, leaving the group"),
            Err(error) => tracing::warn!(%error, "final offset commit failed"),
        }
    }

    async fn recv(&self) -> Option<Received> {
        match self.member.recv().await {
            Ok(record) => Some(self.received(record)),
            Err(error) => {
                tracing::warn!(%error, "consumer error");
                // librdkafka repeats transport errors until the broker is back; this
                // only keeps the loop from spinning on them.
                tokio::time::sleep(Duration::from_millis(100)).await;
                None
            }
        }
    }

    fn received(&self, record: ReceivedRecord) -> Received {
        // A revoke happens only inside a poll, and purges what was fetched for the
        // revoked partitions: a record returned now belongs to the current generation.
        Received {
            record,
            generation: self.member.generation(),
        }
    }

    async fn process(
        &self,
        batch: Vec<Received>,
        pending: &mut VecDeque<Received>,
        shutdown: &mut Shutdown<'_>,
    ) -> Finished {
        let mut orders = Vec::with_capacity(batch.len());
        let mut spans = Vec::with_capacity(batch.len());
        let mut rejected = Vec::new();
        for Received { record, .. } in &batch {
            let span = self.process_span(record);
            match span.in_scope(|| handle::decide(record)) {
                Decision::Create(event, position) => {
                    let id = event.correlation_id.as_str();
                    span.record("correlation_id", id);
                    span.record("messaging.kafka.message.key", id);
                    orders.push((event, Some(position)));
                    spans.push(span);
                }
                Decision::Reject(error) => {
                    span.record("otel.status_code", "ERROR");
                    rejected.push((record, error, span));
                }
            }
        }
        self.status.received(batch.len());

        if !orders.is_empty() {
            let system = self.create.store_system();
            // One database span per event, child of its process span, all timing the
            // same batch insert: each order's trace shows the write it was part of.
            let db_spans: Vec<_> = spans
                .iter()
                .zip(&orders)
                .filter(|(span, _)| !span.is_disabled())
                .map(|(span, (event, _))| {
                    tracing::debug_span!(
                        parent: span,
                        "insert",
                        otel.name = "INSERT orders",
                        otel.kind = "client",
                        db.system.name = system,
                        db.operation.name = "INSERT",
                        db.collection.name = "orders",
                        db.operation.batch.size = orders.len(),
                        correlation_id = event.correlation_id.as_str(),
                    )
                })
                .collect();
            let persist = || async {
                let started = Instant::now();
                let result = self.create.execute(orders.iter().cloned()).await;
                metrics::histogram!("orders_db_write_duration_seconds", "system" => system)
                    .record(started.elapsed().as_secs_f64());
                result
            };
            let Some(inserted) = self
                .retry("persist orders", persist, pending, shutdown)
                .await
            else {
                return Finished::ShutdownFirst;
            };
            drop(db_spans);
            metrics::histogram!("orders_db_batch_size").record(orders.len() as f64);
            self.status.persisted(inserted);
            for span in &spans {
                span.in_scope(|| tracing::debug!("order persisted (or already there)"));
            }
            tracing::debug!(
                created = inserted.created,
                duplicates = inserted.duplicates,
                "batch persisted"
            );
        }

        for (record, error, span) in rejected {
            let correlation_id = handle::claimed_correlation_id(record);
            span.record("correlation_id", correlation_id.as_deref().unwrap_or(""));
            tracing::warn!(
                topic = %record.topic,
                partition = record.partition,
                offset = record.offset,
                correlation_id = correlation_id.as_deref().unwrap_or(""),
                error_kind = error.kind(),
                %error,
                "record is not a valid order_created event: setting it aside"
            );
            if let Some(dead_letters) = &self.dead_letters {
                let send = || dead_letters.send(record, &error).instrument(span.clone());
                if self
                    .retry("dead-letter a record", send, pending, shutdown)
                    .await
                    .is_none()
                {
                    return Finished::ShutdownFirst;
                }
            }
            self.status.rejected(error.kind());
        }

        self.store_offsets(&batch);
        Finished::Yes
    }

    /// A span per consumed record (OpenTelemetry messaging conventions), continuing the
    /// trace of whoever published it. Disabled, and free, unless traces are exported or
    /// debug logging is on.
    fn process_span(&self, record: &ReceivedRecord) -> tracing::Span {
        let span = tracing::debug_span!(
            "process",
            otel.name = %format_args!("process {}", record.topic),
            otel.kind = "consumer",
            otel.status_code = tracing::field::Empty,
            messaging.system = "kafka",
            messaging.operation.type = "process",
            messaging.operation.name = "process",
            messaging.destination.name = %record.topic,
            messaging.consumer.group.name = %self.group,
            messaging.destination.partition.id = %record.partition,
            messaging.kafka.offset = record.offset,
            messaging.kafka.message.key = tracing::field::Empty,
            correlation_id = tracing::field::Empty,
        );
        orders_telemetry::propagation::continue_from_record(&span, &record.headers);
        span
    }

    /// Stores, per partition, the last offset of the batch; only for records received
    /// in the current generation (see [`GroupMember::generation`]).
    fn store_offsets(&self, batch: &[Received]) {
        let generation = self.member.generation();
        let current: Vec<_> = batch
            .iter()
            .filter(|r| r.generation == generation)
            .collect();
        if current.len() < batch.len() {
            tracing::info!(
                records = batch.len() - current.len(),
                "a rebalance came during the batch: their offsets are left to the next owner"
            );
        }
        let mut last: BTreeMap<(&str, i32), i64> = BTreeMap::new();
        for Received { record, .. } in current {
            let offset = last
                .entry((&record.topic, record.partition))
                .or_insert(record.offset);
            *offset = (*offset).max(record.offset);
        }
        let done: Vec<_> = last.into_iter().map(|((t, p), o)| (t, p, o)).collect();
        if let Err(error) = self.member.store_done(&done) {
            tracing::warn!(%error, "storing offsets failed; the records will be redelivered");
        }
    }

    /// Runs `op` until it succeeds, waiting with backoff between attempts while the
    /// member's partitions are paused. `None` when shutdown came first.
    async fn retry<T, E: Display, F: Future<Output = Result<T, E>>>(
        &self,
        what: &'static str,
        mut op: impl FnMut() -> F,
        pending: &mut VecDeque<Received>,
        shutdown: &mut Shutdown<'_>,
    ) -> Option<T> {
        let mut attempt = 0;
        loop {
            let error = match op().await {
                Ok(value) => {
                    if attempt > 0 {
                        tracing::info!(attempts = attempt + 1, "{what}: succeeded after retrying");
                        self.status.recovered();
                        if let Err(error) = self.member.resume() {
                            tracing::warn!(%error, "resuming partitions failed");
                        }
                    }
                    return Some(value);
                }
                Err(error) => error,
            };
            attempt += 1;
            let delay = self.backoff.delay(attempt);
            tracing::warn!(%error, attempt, retry_in_ms = delay.as_millis() as u64, "{what}: failed, will retry");
            self.status.failing(what, error.to_string());
            if attempt == 1
                && let Err(error) = self.member.pause()
            {
                tracing::warn!(%error, "pausing partitions failed");
            }
            // Keep polling while waiting: it keeps the member in its group and serves
            // rebalances. Anything that still arrives waits its turn in `pending`.
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    biased;
                    () = &mut *shutdown => return None,
                    () = &mut sleep => break,
                    received = self.recv() => pending.extend(received),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let delays: Vec<_> = (1..=6).map(|a| backoff.delay(a).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(1));
    }
}
