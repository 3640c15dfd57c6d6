//! The loop around a [`Handler`]: take a batch, decide each record, apply the batch, set
//! aside what can never be applied, store offsets; wait out what may pass later.
//!
//! Offsets are stored only after the batch is applied and its rejected records are
//! acknowledged on the dead-letter topic, so a crash at any point replays work instead
//! of losing it (handlers make the replay harmless). Failures that may pass (database
//! down, broker refusing a dead-letter write) are retried with capped exponential
//! backoff while the member stays in its group with its partitions paused; nothing is
//! dead-lettered because of them. A failure that will not pass (the store refuses a
//! value) splits the batch until the records it comes from are found: those are
//! dead-lettered with the store's reason and the others applied, so one bad record never
//! holds back the ones around it.

use crate::dead_letter::{DeadLetters, Written};
use crate::handler::{Applied, Handler, Item, Rejection};
use crate::retry::Backoff;
use crate::status::Status;
use orders_core::{EventPosition, PublishError, StoreError};
use orders_kafka::ReceivedRecord;
use orders_kafka::consumer::GroupMember;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Display;
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// A record and the rebalance generation it was received under.
#[derive(Debug)]
struct Received {
    record: ReceivedRecord,
    generation: u64,
}

pub(crate) struct Worker<H: Handler> {
    pub(crate) member: GroupMember,
    pub(crate) handler: Arc<H>,
    pub(crate) dead_letters: Option<DeadLetters>,
    pub(crate) status: Arc<Status>,
    pub(crate) group: String,
    pub(crate) max_batch: usize,
    pub(crate) backoff: Backoff,
    /// Longest one store or dead-letter call may take before it counts as failed.
    pub(crate) op_timeout: Duration,
    /// Longest the final commit and leaving the group may take at shutdown.
    pub(crate) close_timeout: Duration,
    /// Woken after every applied batch (the outbox relay waits on it).
    pub(crate) applied: Arc<Notify>,
}

type Shutdown<'a> = Pin<&'a mut (dyn Future<Output = ()> + Send)>;

/// Whether a batch was finished or abandoned because shutdown came first.
enum Finished {
    Yes,
    ShutdownFirst,
}

/// An error that may or may not pass if the same call is made again.
pub(crate) trait MayPass: Display {
    fn may_pass(&self) -> bool;
}

impl MayPass for StoreError {
    fn may_pass(&self) -> bool {
        self.is_retryable()
    }
}

impl MayPass for PublishError {
    fn may_pass(&self) -> bool {
        self.is_retryable()
    }
}

impl<H: Handler> Worker<H> {
    /// Consumes until `shutdown` completes, then commits what was stored and leaves the
    /// group, each within its deadline.
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
            // and a lone record is applied at once.
            while pending.len() < self.max_batch {
                match self.member.try_recv().await {
                    Some(Ok(record)) => pending.push_back(self.received(record)),
                    Some(Err(error)) => {
                        consumer_error(&error);
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
        self.close().await;
    }

    /// Commits the stored offsets and leaves the group, on a thread of its own: both
    /// wait on the group coordinator, which may be gone, and neither may hold up the
    /// process for longer than `close_timeout`.
    async fn close(self) {
        let (done, closed) = tokio::sync::oneshot::channel();
        let member = self.member;
        let spawned = std::thread::Builder::new()
            .name("group-close".into())
            .spawn(move || {
                let committed = member.commit();
                drop(member);
                let _ = done.send(committed);
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the thread that leaves the group");
            return;
        }
        match tokio::time::timeout(self.close_timeout, closed).await {
            Ok(Ok(Ok(()))) => tracing::info!("offsets committed, left the group"),
            Ok(Ok(Err(error))) => {
                tracing::warn!(%error, "final offset commit failed; left the group")
            }
            Ok(Err(_)) => tracing::warn!("leaving the group failed"),
            Err(_) => tracing::warn!(
                timeout_ms = self.close_timeout.as_millis() as u64,
                "the final commit and leaving the group did not finish in time; stopping \
                 anyway (uncommitted records are delivered again)"
            ),
        }
    }

    async fn recv(&self) -> Option<Received> {
        match self.member.recv().await {
            Ok(record) => Some(self.received(record)),
            Err(error) => {
                consumer_error(&error);
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
        let mut items = Vec::with_capacity(batch.len());
        // For each item, the index of its record in `batch`.
        let mut origin = Vec::with_capacity(batch.len());
        let mut spans = Vec::with_capacity(batch.len());
        let mut rejected: Vec<(usize, Rejection)> = Vec::new();
        for (i, Received { record, .. }) in batch.iter().enumerate() {
            let span = self.process_span(record);
            if let Some(id) = record.correlation_id() {
                span.record("correlation_id", &*id);
                span.record("messaging.kafka.message.key", &*id);
            }
            match span.in_scope(|| self.handler.decide(record)) {
                Ok(input) => {
                    items.push(Item {
                        input,
                        source: position(record),
                        timestamp_ms: record.timestamp_ms,
                        trace: trace_headers(&span, record),
                    });
                    origin.push(i);
                    spans.push(span);
                }
                Err(rejection) => {
                    span.record("otel.status_code", "ERROR");
                    rejected.push((i, rejection));
                }
            }
        }
        self.status.received(batch.len());

        if !items.is_empty() {
            let store = self.handler.store_span();
            // One store span per record, child of its process span, all timing the same
            // batch write: each record's trace shows the write it was part of.
            let store_spans: Vec<_> = spans
                .iter()
                .zip(&origin)
                .filter(|(span, _)| !span.is_disabled())
                .map(|(span, &i)| {
                    let id = batch[i].record.correlation_id();
                    tracing::debug_span!(
                        parent: span,
                        "store",
                        otel.name = %format_args!("{} {}", store.operation, store.collection),
                        otel.kind = "client",
                        db.system.name = store.system,
                        db.operation.name = store.operation,
                        db.collection.name = store.collection,
                        db.operation.batch.size = items.len(),
                        correlation_id = id.as_deref().unwrap_or(""),
                    )
                })
                .collect();
            let Some(applied) = self.apply_all(&items, pending, shutdown).await else {
                return Finished::ShutdownFirst;
            };
            drop(store_spans);
            metrics::histogram!("orders_db_batch_size", "service" => self.status.service())
                .record(items.len() as f64);
            for (stat, n) in &applied.counts {
                self.status.counted(stat, *n);
            }
            for span in &spans {
                span.in_scope(|| tracing::debug!("applied"));
            }
            rejected.extend(
                applied
                    .rejected
                    .into_iter()
                    .map(|(i, rejection)| (origin[i], rejection)),
            );
            self.applied.notify_one();
        }

        rejected.sort_by_key(|(i, _)| *i);
        for (i, rejection) in rejected {
            if let Finished::ShutdownFirst = self
                .set_aside(&batch[i].record, &rejection, pending, shutdown)
                .await
            {
                return Finished::ShutdownFirst;
            }
        }

        self.store_offsets(&batch);
        Finished::Yes
    }

    /// Applies `items`, retrying what may pass; when the store refuses a batch for good,
    /// halves it until the refused records are alone, and rejects those with the
    /// store's reason. `None` when shutdown came first.
    async fn apply_all(
        &self,
        items: &[Item<H::Input>],
        pending: &mut VecDeque<Received>,
        shutdown: &mut Shutdown<'_>,
    ) -> Option<Applied> {
        let system = self.handler.store_span().system;
        let mut applied = Applied::default();
        // Ranges still to apply, the next one last: left halves go before right ones,
        // so records keep their order.
        let mut todo: Vec<Range<usize>> = Vec::new();
        todo.push(0..items.len());
        while let Some(range) = todo.pop() {
            let part = &items[range.clone()];
            let attempt = || async {
                let started = Instant::now();
                let result = self.handler.apply(part).await;
                metrics::histogram!(
                    "orders_db_write_duration_seconds",
                    "service" => self.status.service(),
                    "system" => system
                )
                .record(started.elapsed().as_secs_f64());
                result
            };
            match self
                .retry("apply a batch", attempt, pending, shutdown)
                .await?
            {
                Ok(done) => applied.merge(done, range.start),
                Err(error) if range.len() == 1 => {
                    tracing::warn!(%error, "the store refuses a record for good");
                    applied.rejected.push((
                        range.start,
                        Rejection::new("store_refused", error.to_string()),
                    ));
                }
                Err(error) => {
                    let middle = range.start + range.len() / 2;
                    tracing::info!(
                        %error,
                        records = range.len(),
                        "the store refuses the batch for good: splitting it to find the \
                         records it refuses"
                    );
                    todo.push(middle..range.end);
                    todo.push(range.start..middle);
                }
            }
        }
        Some(applied)
    }

    /// Logs and dead-letters one record the service will never apply.
    async fn set_aside(
        &self,
        record: &ReceivedRecord,
        rejection: &Rejection,
        pending: &mut VecDeque<Received>,
        shutdown: &mut Shutdown<'_>,
    ) -> Finished {
        let correlation_id = record.correlation_id();
        let correlation_id = correlation_id.as_deref().unwrap_or("");
        tracing::warn!(
            topic = %record.topic,
            partition = record.partition,
            offset = record.offset,
            correlation_id,
            error_kind = %rejection.kind,
            error = %rejection.message,
            "setting a record aside"
        );
        if let Some(dead_letters) = &self.dead_letters {
            let send = || dead_letters.send(record, rejection);
            match self
                .retry("dead-letter a record", send, pending, shutdown)
                .await
            {
                None => return Finished::ShutdownFirst,
                Some(Ok(Written::Whole(_))) => {}
                Some(Ok(Written::Reduced(_))) => tracing::warn!(
                    position = %record.position(),
                    "the dead-letter topic refused the whole record: wrote it without its \
                     value and headers (the source record still has them)"
                ),
                Some(Err(error)) => {
                    tracing::error!(
                        position = %record.position(),
                        %error,
                        topic = dead_letters.topic(),
                        "the dead-letter topic refuses even the reduced record: moving on \
                         (the source record is still at its position)"
                    );
                    metrics::counter!(
                        "orders_dead_letters_dropped_total",
                        "service" => self.status.service()
                    )
                    .increment(1);
                }
            }
        }
        self.status.rejected(&rejection.kind);
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

    /// Runs `op` until it succeeds or fails for good, each attempt within `op_timeout`,
    /// waiting with backoff between attempts while the member's partitions are paused.
    /// `None` when shutdown came first.
    async fn retry<T, E: MayPass, F: Future<Output = Result<T, E>>>(
        &self,
        what: &'static str,
        mut op: impl FnMut() -> F,
        pending: &mut VecDeque<Received>,
        shutdown: &mut Shutdown<'_>,
    ) -> Option<Result<T, E>> {
        let mut attempt = 0;
        loop {
            let error = match tokio::time::timeout(self.op_timeout, op()).await {
                Ok(result) => match result {
                    Err(error) if error.may_pass() => error.to_string(),
                    result => {
                        if attempt > 0 {
                            tracing::info!(attempts = attempt + 1, "{what}: done after retrying");
                            self.status.recovered();
                            if let Err(error) = self.member.resume() {
                                tracing::warn!(%error, "resuming partitions failed");
                            }
                        }
                        return Some(result);
                    }
                },
                Err(_) => format!("no answer within {} ms", self.op_timeout.as_millis()),
            };
            attempt += 1;
            let delay = self.backoff.delay(attempt);
            tracing::warn!(%error, attempt, retry_in_ms = delay.as_millis() as u64, "{what}: failed, will retry");
            self.status.failing(what, error);
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

fn position(record: &ReceivedRecord) -> EventPosition {
    EventPosition {
        topic: record.topic.clone(),
        partition: record.partition,
        offset: record.offset,
    }
}

/// The trace context the events caused by `record` carry: the record's own span when it
/// is recorded (traces are exported), else the context the record came with, forwarded
/// unchanged as W3C Trace Context asks of every participant.
fn trace_headers(span: &tracing::Span, record: &ReceivedRecord) -> Vec<(String, Vec<u8>)> {
    let mut headers = Vec::new();
    if !span.is_disabled() {
        orders_telemetry::propagation::inject_into_record(span, &mut headers);
    }
    if headers.is_empty() {
        headers = record
            .headers
            .iter()
            .filter(|(k, _)| k == "traceparent" || k == "tracestate")
            .cloned()
            .collect();
    }
    headers
}

/// A consumer error, at warn, or at debug while Kafka refuses this service: that cause
/// was logged once and `/readyz` reports it, where librdkafka's repeats every second
/// would bury it.
fn consumer_error(error: &orders_kafka::Error) {
    if orders_kafka::diagnosis::refused().is_some() {
        tracing::debug!(%error, "consumer error");
    } else {
        tracing::warn!(%error, "consumer error");
    }
}
