//! Reading a topic without joining a consumer group, and a group's offsets seen from
//! outside it.
//!
//! `orders tail` follows a topic live, `orders dlq replay` and `orders trace` read one to
//! where it ends now, `trace` reads back the one record an order came from, `orders lag`
//! reads a group's committed offsets, and `dlq replay` keeps its own bookmark under a group
//! of its own. All of them only assign partitions and never subscribe, so looking at a
//! topic never joins the services' group, never triggers a rebalance and never takes a
//! partition away from anyone; the only offsets ever committed here are under a group the
//! caller names.

use crate::{ClientLogging, Error, KafkaConfig, ReceivedRecord, Result, admin};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Where a reader starts in each partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartFrom {
    /// The first record still in the log.
    Beginning,
    /// The next record to be written.
    End,
    /// Where this consumer group has committed, or the beginning where it has committed
    /// nothing.
    Committed(String),
}

/// How long a bounded reader waits for a record before it asks librdkafka how far it got:
/// a partition whose last offsets hold no record it can deliver (a transaction marker,
/// a compacted record) ends there.
const POSITION_CHECK: Duration = Duration::from_millis(250);

/// Reads every partition of a topic without joining any consumer group and without
/// committing: watching the topic changes nothing for the services.
///
/// [`TopicReader::follow`] reads on as records arrive; [`TopicReader::to_end`] stops where
/// each partition ended when it was opened, so that a topic written to meanwhile is still
/// read to an end, one record at a time, in bounded memory.
pub struct TopicReader {
    consumer: StreamConsumer<ClientLogging>,
    topic: String,
    /// For a bounded reader: the offset (exclusive) each partition not yet read to its
    /// end stops at.
    remaining: Option<HashMap<i32, i64>>,
    /// Records still in the log before where the reader started.
    skipped: i64,
}

impl std::fmt::Debug for TopicReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicReader")
            .field("topic", &self.topic)
            .field("remaining", &self.remaining)
            .field("skipped", &self.skipped)
            .finish_non_exhaustive()
    }
}

impl TopicReader {
    /// Follows every partition of `topic` from `from`, without end: [`Self::recv`] waits
    /// for records written later.
    pub async fn follow(
        config: &KafkaConfig,
        topic: &str,
        from: StartFrom,
        timeout: Duration,
    ) -> Result<Self> {
        let committed = committed_for(config, topic, &from, timeout).await?;
        let consumer = reader_consumer(config)?;
        let owned = topic.to_owned();
        let consumer = admin::blocking(move || {
            let partitions =
                admin::partitions_of(consumer.client(), &owned, timeout, admin::Queue::Unpolled)?;
            let mut assignment = TopicPartitionList::new();
            for partition in partitions {
                let offset = match (&from, committed.get(&partition)) {
                    (StartFrom::End, _) => Offset::End,
                    (StartFrom::Committed(_), Some(&offset)) => Offset::Offset(offset),
                    _ => Offset::Beginning,
                };
                assignment.add_partition_offset(&owned, partition, offset)?;
            }
            consumer.assign(&assignment)?;
            Ok(consumer)
        })
        .await?;
        Ok(Self {
            consumer,
            topic: topic.to_owned(),
            remaining: None,
            skipped: 0,
        })
    }

    /// Reads every partition of `topic` from `from` up to where it ends now; records
    /// written after this call are not waited for. [`Self::next`] answers `None` once
    /// every partition is read to that end.
    pub async fn to_end(
        config: &KafkaConfig,
        topic: &str,
        from: StartFrom,
        timeout: Duration,
    ) -> Result<Self> {
        let committed = committed_for(config, topic, &from, timeout).await?;
        let consumer = reader_consumer(config)?;
        let owned = topic.to_owned();
        let (consumer, remaining, skipped) = admin::blocking(move || {
            let partitions =
                admin::partitions_of(consumer.client(), &owned, timeout, admin::Queue::Unpolled)?;
            let mut assignment = TopicPartitionList::new();
            let mut remaining = HashMap::new();
            let mut skipped = 0;
            for partition in partitions {
                let (low, high) = consumer.fetch_watermarks(&owned, partition, timeout)?;
                let start = match (&from, committed.get(&partition)) {
                    (StartFrom::End, _) => high,
                    (StartFrom::Committed(_), Some(&offset)) => offset.max(low),
                    _ => low,
                };
                skipped += start.min(high) - low;
                if start < high {
                    remaining.insert(partition, high);
                    assignment.add_partition_offset(&owned, partition, Offset::Offset(start))?;
                }
            }
            consumer.assign(&assignment)?;
            Ok((consumer, remaining, skipped))
        })
        .await?;
        Ok(Self {
            consumer,
            topic: topic.to_owned(),
            remaining: Some(remaining),
            skipped,
        })
    }

    /// The next record of any partition, waiting for one to be written if need be.
    pub async fn recv(&self) -> Result<ReceivedRecord> {
        let message = self.consumer.recv().await?;
        Ok(ReceivedRecord::from_message(&message))
    }

    /// The next record, or `None` once a reader opened with [`Self::to_end`] has read
    /// every partition to its end (a following reader never ends).
    pub async fn next(&mut self) -> Result<Option<ReceivedRecord>> {
        if self.remaining.is_none() {
            return self.recv().await.map(Some);
        }
        loop {
            if self.remaining.as_ref().is_none_or(HashMap::is_empty) {
                return Ok(None);
            }
            let message = match tokio::time::timeout(POSITION_CHECK, self.consumer.recv()).await {
                Ok(message) => message?,
                Err(_) => {
                    self.drop_finished()?;
                    continue;
                }
            };
            let (partition, offset) = (message.partition(), message.offset());
            let Some(remaining) = self.remaining.as_mut() else {
                return Ok(None);
            };
            let Some(&end) = remaining.get(&partition) else {
                continue;
            };
            if offset + 1 >= end {
                remaining.remove(&partition);
                self.pause(partition);
            }
            if offset >= end {
                continue;
            }
            return Ok(Some(ReceivedRecord::from_message(&message)));
        }
    }

    /// How many records still in the log a bounded reader passes over because they are
    /// before where it started (a group's committed offsets, or the end).
    pub fn skipped(&self) -> i64 {
        self.skipped
    }

    /// The topic being read.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Ends the partitions that librdkafka has moved past their end without delivering
    /// the last records (control records and compacted offsets are skipped silently).
    fn drop_finished(&mut self) -> Result<()> {
        let positions = self.consumer.position()?;
        let Some(remaining) = self.remaining.as_mut() else {
            return Ok(());
        };
        let mut done: Vec<i32> = Vec::new();
        for element in positions.elements() {
            let partition = element.partition();
            if let (Offset::Offset(at), Some(&end)) = (element.offset(), remaining.get(&partition))
                && at >= end
            {
                done.push(partition);
            }
        }
        for partition in &done {
            remaining.remove(partition);
        }
        for partition in &done {
            self.pause(*partition);
        }
        Ok(())
    }

    /// Stops fetching a partition that is read to its end, so that records written to
    /// it meanwhile are not fetched for nothing.
    fn pause(&self, partition: i32) {
        let mut list = TopicPartitionList::new();
        list.add_partition(&self.topic, partition);
        let _ = self.consumer.pause(&list);
    }
}

/// The committed offsets `from` starts at, when it starts at a group's.
async fn committed_for(
    config: &KafkaConfig,
    topic: &str,
    from: &StartFrom,
    timeout: Duration,
) -> Result<HashMap<i32, i64>> {
    let StartFrom::Committed(group) = from else {
        return Ok(HashMap::new());
    };
    Ok(GroupOffsets::new(config, group)?
        .committed(topic, timeout)
        .await?
        .into_iter()
        .filter_map(|(partition, offset)| Some((partition, offset?)))
        .collect())
}

/// The record at `offset` of `topic`'s `partition`; `None` when the log does not hold
/// it (never written, or already deleted by retention or compaction). Fails when the
/// broker does not deliver it within `timeout`.
pub async fn read_at(
    config: &KafkaConfig,
    topic: &str,
    partition: i32,
    offset: i64,
    timeout: Duration,
) -> Result<Option<ReceivedRecord>> {
    let consumer = reader_consumer(config)?;
    let owned = topic.to_owned();
    let consumer = admin::blocking(move || {
        let (low, high) = consumer.fetch_watermarks(&owned, partition, timeout)?;
        if offset < low || offset >= high {
            return Ok(None);
        }
        let mut assignment = TopicPartitionList::new();
        assignment.add_partition_offset(&owned, partition, Offset::Offset(offset))?;
        consumer.assign(&assignment)?;
        Ok(Some(consumer))
    })
    .await?;
    let Some(consumer) = consumer else {
        return Ok(None);
    };
    let mut reader = TopicReader {
        consumer,
        topic: topic.to_owned(),
        remaining: Some(HashMap::from([(partition, offset + 1)])),
        skipped: 0,
    };
    match tokio::time::timeout(timeout, reader.next()).await {
        Err(_) => Err(timed_out()),
        // Past it already: compaction removed the record at that offset.
        Ok(record) => Ok(record?.filter(|r| r.offset == offset)),
    }
}

/// The outcome of [`find_by_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyScan {
    /// Every record with the key, in the order they were read (per partition, by offset).
    pub records: Vec<ReceivedRecord>,
    /// How many records were read.
    pub scanned: u64,
    /// Whether every partition was read up to where it ended when the scan began; false
    /// when the deadline came first.
    pub complete: bool,
}

/// Every record of `topic` whose key is `key`, reading all partitions from the beginning
/// to where they end now, for at most `timeout`.
pub async fn find_by_key(
    config: &KafkaConfig,
    topic: &str,
    key: &[u8],
    timeout: Duration,
) -> Result<KeyScan> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut reader = TopicReader::to_end(config, topic, StartFrom::Beginning, timeout).await?;
    let mut scan = KeyScan {
        records: Vec::new(),
        scanned: 0,
        complete: false,
    };
    loop {
        match tokio::time::timeout_at(deadline, reader.next()).await {
            Err(_) => return Ok(scan),
            Ok(Ok(None)) => {
                scan.complete = true;
                return Ok(scan);
            }
            Ok(Ok(Some(record))) => {
                scan.scanned += 1;
                if record.key.as_deref() == Some(key) {
                    scan.records.push(record);
                }
            }
            Ok(Err(error)) => return Err(error),
        }
    }
}

/// The low and high watermarks of one partition: the first offset still in the log and
/// the offset the next record will get.
pub async fn watermarks(
    config: &KafkaConfig,
    topic: &str,
    partition: i32,
    timeout: Duration,
) -> Result<(i64, i64)> {
    let consumer = reader_consumer(config)?;
    let topic = topic.to_owned();
    admin::blocking(move || Ok(consumer.fetch_watermarks(&topic, partition, timeout)?)).await
}

/// A consumer group's committed offsets, read and written from outside the group: the
/// client asks under the group's id (OffsetFetch, OffsetCommit) but never subscribes, so
/// it never becomes a member of the group it looks at.
#[derive(Clone)]
pub struct GroupOffsets {
    consumer: Arc<BaseConsumer<ClientLogging>>,
    group: String,
}

impl std::fmt::Debug for GroupOffsets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupOffsets")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl GroupOffsets {
    pub fn new(config: &KafkaConfig, group: &str) -> Result<Self> {
        let consumer: BaseConsumer<ClientLogging> = config
            .client_config(&[
                ("group.id", group),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
            ])
            .create_with_context(ClientLogging)
            .map_err(Error::Config)?;
        Ok(Self {
            consumer: Arc::new(consumer),
            group: group.to_owned(),
        })
    }

    pub fn group(&self) -> &str {
        &self.group
    }

    /// The committed offset (the next record to read) on each partition of `topic`,
    /// `None` where the group has committed nothing.
    pub async fn committed(
        &self,
        topic: &str,
        timeout: Duration,
    ) -> Result<Vec<(i32, Option<i64>)>> {
        let consumer = self.consumer.clone();
        let topic = topic.to_owned();
        admin::blocking(move || {
            let partitions =
                admin::partitions_of(consumer.client(), &topic, timeout, admin::Queue::Unpolled)?;
            committed_on(&consumer, &topic, &partitions, timeout)
        })
        .await
    }

    /// Commits `(partition, next offset)` pairs of `topic` for the group and waits for
    /// the broker to confirm. Fails while the group has active members: only a group
    /// that nothing consumes in may be moved from outside.
    pub async fn commit(&self, topic: &str, offsets: &[(i32, i64)]) -> Result<()> {
        if offsets.is_empty() {
            return Ok(());
        }
        let mut list = TopicPartitionList::new();
        for &(partition, offset) in offsets {
            list.add_partition_offset(topic, partition, Offset::Offset(offset))?;
        }
        let consumer = self.consumer.clone();
        admin::blocking(move || Ok(consumer.commit(&list, CommitMode::Sync)?)).await
    }

    /// The client, for the other questions `lag` asks about the group.
    pub(crate) fn consumer(&self) -> Arc<BaseConsumer<ClientLogging>> {
        self.consumer.clone()
    }
}

/// The committed offsets of `partitions` of `topic`, for the group `consumer` asks as.
pub(crate) fn committed_on(
    consumer: &BaseConsumer<ClientLogging>,
    topic: &str,
    partitions: &[i32],
    timeout: Duration,
) -> Result<Vec<(i32, Option<i64>)>> {
    let mut wanted = TopicPartitionList::new();
    for &partition in partitions {
        wanted.add_partition(topic, partition);
    }
    Ok(consumer
        .committed_offsets(wanted, timeout)?
        .elements()
        .iter()
        .map(|e| match e.offset() {
            Offset::Offset(o) => (e.partition(), Some(o)),
            _ => (e.partition(), None),
        })
        .collect())
}

/// The committed offset of `group` on each partition of `topic` (`None` where the group
/// has committed nothing), read without joining the group.
pub async fn committed_offsets(
    config: &KafkaConfig,
    group: &str,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<(i32, Option<i64>)>> {
    GroupOffsets::new(config, group)?
        .committed(topic, timeout)
        .await
}

/// A consumer that only assigns: no group is joined and nothing is committed.
fn reader_consumer(config: &KafkaConfig) -> Result<StreamConsumer<ClientLogging>> {
    assign_only(config, "reader", Duration::from_millis(100))
        .create_with_context(ClientLogging)
        .map_err(Error::Config)
}

/// The configuration of a consumer that only assigns partitions and commits nothing,
/// fetching at most `fetch_wait` apart. librdkafka refuses `assign` on a consumer without
/// a `group.id` (`__UNKNOWN_GROUP`), so it gets `<client id>-<purpose>`, under which
/// nothing is ever done.
pub(crate) fn assign_only(
    config: &KafkaConfig,
    purpose: &str,
    fetch_wait: Duration,
) -> rdkafka::ClientConfig {
    let group = format!("{}-{purpose}", config.client_id);
    let fetch_wait = fetch_wait.as_millis().to_string();
    config.client_config(&[
        ("group.id", &group),
        ("enable.auto.commit", "false"),
        ("enable.auto.offset.store", "false"),
        ("enable.partition.eof", "false"),
        ("fetch.wait.max.ms", &fetch_wait),
    ])
}

fn timed_out() -> Error {
    Error::Kafka(rdkafka::error::KafkaError::MessageConsumption(
        rdkafka::error::RDKafkaErrorCode::OperationTimedOut,
    ))
}
