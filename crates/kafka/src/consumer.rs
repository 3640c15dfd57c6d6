//! The order-service's member of its consumer group. (Reading without a group is
//! [`crate::reader`].)
//!
//! The group member stores offsets by hand (`enable.auto.offset.store=false`): the
//! service stores a record's offset only after the order it carries is committed to the
//! database, and librdkafka's auto-commit then commits what was stored. On a revoke the
//! stored offsets are committed before the partitions go, and every revoke bumps a
//! generation, so that a batch received before a rebalance never stores offsets for
//! partitions that may belong to another member by now.

use crate::{Error, KafkaConfig, ReceivedRecord, Result, context};
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, KafkaResult, RDKafkaErrorCode};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tuning of a group member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    pub group_id: String,
    /// How long the group waits for a silent member before giving its partitions away.
    /// Short, so a crashed order-service is replaced quickly; it must stay above the
    /// broker's `group.min.session.timeout.ms` (6 s on Apache Kafka).
    pub session_timeout: Duration,
}

impl GroupSettings {
    pub fn new(group_id: impl Into<String>) -> Self {
        Self {
            group_id: group_id.into(),
            session_timeout: Duration::from_secs(10),
        }
    }
}

/// Tracks rebalances for [`GroupMember`]; runs inside librdkafka's poll.
#[derive(Debug, Default)]
pub struct GroupContext {
    generation: AtomicU64,
    paused: AtomicBool,
    commits: Arc<CommitHealth>,
}

/// Whether offset commits are going through. A member whose commits keep failing still
/// persists orders but never moves its group forward (seen with a group coordinator that
/// went away and never came back): its health checks must say so.
#[derive(Debug, Default)]
pub struct CommitHealth {
    failing_since: Mutex<Option<Instant>>,
}

impl CommitHealth {
    /// How long commits have been failing without one succeeding; `None` when the last
    /// one succeeded.
    pub fn failing_for(&self) -> Option<Duration> {
        self.failing_since
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|since| since.elapsed())
    }

    fn record(&self, ok: bool) {
        let mut since = self.failing_since.lock().unwrap_or_else(|p| p.into_inner());
        match (ok, *since) {
            (true, _) => *since = None,
            (false, None) => *since = Some(Instant::now()),
            (false, Some(_)) => {}
        }
    }
}

impl ClientContext for GroupContext {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        context::log(level, facility, message);
    }

    /// librdkafka's statistics (every `statistics.interval.ms`) carry each partition's
    /// lag: the gauge `orders_consumer_lag`; and each broker's state, which clears a
    /// refusal once one is connected. Partitions this member does not own read 0,
    /// so summing the gauge over members gives the group's lag.
    fn stats(&self, statistics: Statistics) {
        // A broker this member is connected to: whatever refused it before is fixed.
        if statistics.brokers.values().any(|b| b.state == "UP") {
            crate::diagnosis::clear();
        }
        for topic in statistics.topics.values() {
            for partition in topic.partitions.values().filter(|p| p.partition >= 0) {
                let lag = if partition.desired {
                    partition.consumer_lag.max(0)
                } else {
                    0
                };
                let labels = [
                    ("topic", topic.topic.clone()),
                    ("partition", partition.partition.to_string()),
                ];
                metrics::gauge!("orders_consumer_lag", &labels).set(lag as f64);
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        context::error_event(&error, reason);
    }
}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(partitions) = rebalance {
            self.generation.fetch_add(1, Ordering::SeqCst);
            // Stored offsets belong to applied records: hand them over with the
            // partitions, so the next owner does not redo that work. Asynchronously: this
            // runs inside a poll, on whatever thread polls, and a coordinator that is
            // gone would hold a synchronous commit (and that thread) for seconds. A
            // commit that does not make it means some records are delivered again,
            // which the services make harmless.
            match consumer.commit_consumer_state(CommitMode::Async) {
                Ok(()) => tracing::info!(partitions = %describe(partitions), "partitions revoked"),
                Err(error) => tracing::warn!(
                    partitions = %describe(partitions),
                    %error,
                    "partitions revoked; committing their stored offsets failed"
                ),
            }
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(partitions) => {
                if self.paused.load(Ordering::SeqCst) {
                    // A member that is waiting for its database takes no new work either.
                    let _ = consumer.pause(partitions);
                }
                tracing::info!(partitions = %describe(partitions), "partitions assigned");
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(error) => tracing::warn!(%error, "rebalance failed"),
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => {
                self.commits.record(true);
                tracing::trace!(offsets = %describe(offsets), "offsets committed");
            }
            Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            Err(error) => {
                self.commits.record(false);
                tracing::warn!(%error, offsets = %describe(offsets), "offset commit failed");
            }
        }
    }
}

fn describe(partitions: &TopicPartitionList) -> String {
    partitions
        .elements()
        .iter()
        .map(|e| match e.offset() {
            Offset::Offset(o) => format!("{}/{}@{o}", e.topic(), e.partition()),
            _ => format!("{}/{}", e.topic(), e.partition()),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A member of a consumer group that stores offsets only when told to.
pub struct GroupMember {
    consumer: StreamConsumer<GroupContext>,
}

impl std::fmt::Debug for GroupMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupMember").finish_non_exhaustive()
    }
}

impl GroupMember {
    /// Joins `settings.group_id` on `topics`. New groups start from the earliest offset,
    /// so events published before the first order-service started are not skipped.
    pub fn join(config: &KafkaConfig, settings: &GroupSettings, topics: &[&str]) -> Result<Self> {
        let session_ms = settings.session_timeout.as_millis().to_string();
        let heartbeat_ms = (settings.session_timeout.as_millis() / 5)
            .max(100)
            .to_string();
        let consumer: StreamConsumer<GroupContext> = config
            .client_config(&[
                ("group.id", &settings.group_id),
                ("enable.auto.commit", "true"),
                ("auto.commit.interval.ms", "500"),
                ("enable.auto.offset.store", "false"),
                ("auto.offset.reset", "earliest"),
                ("session.timeout.ms", &session_ms),
                ("heartbeat.interval.ms", &heartbeat_ms),
                // The longest a fetch waits for new records. Kafka answers a waiting
                // fetch as soon as records arrive, but nisshi lets it run to this limit,
                // which then bounds how fast an order is persisted (docs/benchmarks.md).
                ("fetch.wait.max.ms", "10"),
                ("socket.nagle.disable", "true"),
                ("statistics.interval.ms", "5000"),
            ])
            .create_with_context(GroupContext::default())
            .map_err(Error::Config)?;
        consumer.subscribe(topics)?;
        Ok(Self { consumer })
    }

    /// The next record, waiting for one.
    pub async fn recv(&self) -> Result<ReceivedRecord> {
        let message = self.consumer.recv().await?;
        Ok(ReceivedRecord::from_message(&message))
    }

    /// The next record if one is already fetched, without waiting.
    pub async fn try_recv(&self) -> Option<Result<ReceivedRecord>> {
        // Timeout polls the inner future once before looking at its (zero) deadline.
        tokio::time::timeout(Duration::ZERO, self.recv()).await.ok()
    }

    /// Whether this member's offset commits are going through.
    pub fn commit_health(&self) -> Arc<CommitHealth> {
        self.consumer.context().commits.clone()
    }

    /// Counts revokes. Offsets of records received under an older generation must not
    /// be stored: their partitions may have moved to another member.
    pub fn generation(&self) -> u64 {
        self.consumer.context().generation.load(Ordering::SeqCst)
    }

    /// Marks `(topic, partition, offset)` records as done: the next commit moves the
    /// group past them. Partitions this member no longer owns are skipped (librdkafka
    /// refuses them), which is what keeps a former owner from committing.
    pub fn store_done(&self, done: &[(&str, i32, i64)]) -> Result<usize> {
        let mut stored = 0;
        for &(topic, partition, offset) in done {
            // rd_kafka_offset_store stores offset + 1, the next record to read.
            match self.consumer.store_offset(topic, partition, offset) {
                Ok(()) => stored += 1,
                Err(KafkaError::StoreOffset(RDKafkaErrorCode::State)) => {
                    tracing::debug!(
                        topic,
                        partition,
                        offset,
                        "not stored: partition no longer assigned"
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(stored)
    }

    /// Commits the stored offsets now and waits for the broker to confirm.
    pub fn commit(&self) -> Result<()> {
        Ok(commit_stored(&self.consumer)?)
    }

    /// Stops fetching from every assigned partition (and from partitions assigned while
    /// paused) without leaving the group: the way to wait for a database that is down.
    pub fn pause(&self) -> Result<()> {
        self.consumer.context().paused.store(true, Ordering::SeqCst);
        Ok(self.consumer.pause(&self.consumer.assignment()?)?)
    }

    pub fn resume(&self) -> Result<()> {
        self.consumer
            .context()
            .paused
            .store(false, Ordering::SeqCst);
        Ok(self.consumer.resume(&self.consumer.assignment()?)?)
    }

    /// The partitions this member owns now.
    pub fn assignment(&self) -> Result<Vec<(String, i32)>> {
        Ok(self
            .consumer
            .assignment()?
            .elements()
            .iter()
            .map(|e| (e.topic().to_owned(), e.partition()))
            .collect())
    }
}

/// Commits the stored offsets synchronously; nothing stored since the last commit is not
/// an error.
fn commit_stored<C: ConsumerContext>(consumer: &impl Consumer<C>) -> KafkaResult<()> {
    match consumer.commit_consumer_state(CommitMode::Sync) {
        Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_health_counts_from_the_first_failure_until_a_success() {
        let health = CommitHealth::default();
        assert_eq!(health.failing_for(), None);
        health.record(false);
        let first = health.failing_for().unwrap();
        health.record(false);
        assert!(
            health.failing_for().unwrap() >= first,
            "a second failure does not restart the clock"
        );
        health.record(true);
        assert_eq!(health.failing_for(), None);
    }
}
