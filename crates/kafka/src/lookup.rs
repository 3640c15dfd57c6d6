//! Finding particular records rather than following a topic: the one record at a
//! partition and offset, or every record with a given key.
//!
//! `orders trace` needs both: the order-service remembers where each order came from, so
//! its record can be read back exactly; an order it does not have (yet) can only be found
//! by reading the topic for its key, which the correlation id is. Neither joins a group or
//! commits anything, so looking changes nothing for the services.

use crate::ReceivedRecord;
use crate::{ClientLogging, Error, KafkaConfig, Result, admin};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::time::{Duration, Instant};

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
    let consumer = reader(config)?;
    let topic = topic.to_owned();
    admin::blocking(move || {
        let deadline = Instant::now() + timeout;
        let (low, high) = consumer.fetch_watermarks(&topic, partition, timeout)?;
        if offset < low || offset >= high {
            return Ok(None);
        }
        let mut assignment = TopicPartitionList::new();
        assignment.add_partition_offset(&topic, partition, Offset::Offset(offset))?;
        consumer.assign(&assignment)?;
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(timed_out());
            };
            match consumer.poll(left) {
                None => return Err(timed_out()),
                Some(message) => {
                    let message = message?;
                    if message.offset() == offset {
                        return Ok(Some(ReceivedRecord::from_message(&message)));
                    }
                    // Past it already: compaction removed the record at that offset.
                    if message.offset() > offset {
                        return Ok(None);
                    }
                }
            }
        }
    })
    .await
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
    let partitions = admin::partitions(config, topic, timeout).await?;
    let consumer = reader(config)?;
    let topic = topic.to_owned();
    let key = key.to_vec();
    admin::blocking(move || {
        let deadline = Instant::now() + timeout;
        // The last offset to read in each partition, fixed now: records written during
        // the scan are not waited for.
        let mut last = HashMap::new();
        let mut assignment = TopicPartitionList::new();
        for partition in partitions {
            let (low, high) = consumer.fetch_watermarks(&topic, partition, timeout)?;
            if high > low {
                last.insert(partition, high - 1);
                assignment.add_partition_offset(&topic, partition, Offset::Offset(low))?;
            }
        }
        consumer.assign(&assignment)?;
        let mut scan = KeyScan {
            records: Vec::new(),
            scanned: 0,
            complete: false,
        };
        while !last.is_empty() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Ok(scan);
            };
            let Some(message) = consumer.poll(left) else {
                return Ok(scan);
            };
            let message = message?;
            scan.scanned += 1;
            if message.key() == Some(key.as_slice()) {
                scan.records.push(ReceivedRecord::from_message(&message));
            }
            let partition = message.partition();
            if last
                .get(&partition)
                .is_some_and(|&end| message.offset() >= end)
            {
                last.remove(&partition);
            }
        }
        scan.complete = true;
        Ok(scan)
    })
    .await
}

/// A consumer that only assigns: no group is joined and nothing is committed.
fn reader(config: &KafkaConfig) -> Result<BaseConsumer<ClientLogging>> {
    let group = format!("{}-lookup", config.client_id);
    config
        .client_config(&[
            ("group.id", &group),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
            ("fetch.wait.max.ms", "100"),
        ])
        .create_with_context(ClientLogging)
        .map_err(Error::Config)
}

fn timed_out() -> Error {
    Error::Kafka(KafkaError::MessageConsumption(
        RDKafkaErrorCode::OperationTimedOut,
    ))
}
