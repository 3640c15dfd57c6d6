//! Which events are on a topic already, by the `event-id` header our services put on
//! every event: what an outbox relay asks when it cannot know whether its last
//! publications landed (it crashed after the broker acknowledged them but before it
//! recorded that, or a delivery report never came).

use crate::topics::EVENT_ID_HEADER;
use crate::{ClientLogging, Error, KafkaConfig, ReceivedRecord, Result, admin, reader};
use orders_core::EventPosition;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Every partition of `topic` with its low and high watermarks.
pub async fn watermarks(
    config: &KafkaConfig,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<(i32, i64, i64)>> {
    let consumer = reader(config)?;
    let topic = topic.to_owned();
    admin::blocking(move || {
        let partitions =
            admin::partitions_of(consumer.client(), &topic, timeout, admin::Queue::Unpolled)?;
        partitions
            .into_iter()
            .map(|p| {
                let (low, high) = consumer.fetch_watermarks(&topic, p, timeout)?;
                Ok((p, low, high))
            })
            .collect()
    })
    .await
}

/// Reads `topic` from `from` (partition, first offset to read) to each partition's end as
/// of now, and returns where each event of `wanted` was found.
pub async fn find_events(
    config: &KafkaConfig,
    topic: &str,
    from: Vec<(i32, i64)>,
    wanted: HashSet<String>,
    timeout: Duration,
) -> Result<HashMap<String, EventPosition>> {
    let consumer = reader(config)?;
    let topic = topic.to_owned();
    admin::blocking(move || {
        let deadline = Instant::now() + timeout;
        let mut found = HashMap::new();
        let mut last = HashMap::new();
        let mut assignment = TopicPartitionList::new();
        for (partition, start) in from {
            let (low, high) = consumer.fetch_watermarks(&topic, partition, timeout)?;
            let start = start.max(low);
            if start < high {
                last.insert(partition, high - 1);
                assignment.add_partition_offset(&topic, partition, Offset::Offset(start))?;
            }
        }
        if last.is_empty() || wanted.is_empty() {
            return Ok(found);
        }
        consumer.assign(&assignment)?;
        while !last.is_empty() && found.len() < wanted.len() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(timed_out());
            };
            let Some(message) = consumer.poll(left) else {
                return Err(timed_out());
            };
            let record = ReceivedRecord::from_message(&message?);
            if let Some(id) = record
                .header(EVENT_ID_HEADER)
                .and_then(|v| std::str::from_utf8(v).ok())
                .filter(|id| wanted.contains(*id))
            {
                found.insert(
                    id.to_owned(),
                    EventPosition {
                        topic: record.topic.clone(),
                        partition: record.partition,
                        offset: record.offset,
                    },
                );
            }
            if last
                .get(&record.partition)
                .is_some_and(|&end| record.offset >= end)
            {
                last.remove(&record.partition);
            }
        }
        Ok(found)
    })
    .await
}

/// A consumer that only assigns and commits nothing; it lives for one scan.
fn reader(config: &KafkaConfig) -> Result<BaseConsumer<ClientLogging>> {
    reader::assign_only(config, "published", Duration::from_millis(50))
        .create_with_context(ClientLogging)
        .map_err(Error::Config)
}

fn timed_out() -> Error {
    Error::Kafka(KafkaError::MessageConsumption(
        RDKafkaErrorCode::OperationTimedOut,
    ))
}
