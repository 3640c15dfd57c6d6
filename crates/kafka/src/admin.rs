//! Cluster administration: topics and metadata. (Offsets and reading records are
//! [`crate::reader`].)
//!
//! librdkafka's metadata and offset calls block; they run on tokio's blocking pool so
//! that callers stay async. A metadata request is asked in short slices, so that a
//! cluster that refuses this client (see [`crate::diagnosis`]) is reported within about
//! a second instead of after the whole time-out.

use crate::{ClientLogging, Error, KafkaConfig, Result, diagnosis};
use rdkafka::ClientContext;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::Client;
use rdkafka::error::KafkaError;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::metadata::Metadata;
use rdkafka::types::RDKafkaRespErr;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A topic to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i32,
    /// `min.insync.replicas`: how many replicas must have a record before an `acks=all`
    /// producer (every producer here) is told it is written.
    pub min_insync_replicas: i32,
}

impl TopicSpec {
    /// A topic with [`default_min_insync_replicas`] for its replication factor.
    pub fn new(name: impl Into<String>, partitions: i32, replication_factor: i32) -> Self {
        Self {
            name: name.into(),
            partitions,
            replication_factor,
            min_insync_replicas: default_min_insync_replicas(replication_factor),
        }
    }
}

/// One less than the replication factor, and at least 1: an acknowledged record survives
/// the loss of any one broker, and one broker may be down without stopping producers.
/// With the broker's usual default of 1 instead, `acks=all` is satisfied by the leader
/// alone once the followers fall behind.
pub fn default_min_insync_replicas(replication_factor: i32) -> i32 {
    (replication_factor - 1).max(1)
}

/// What `create_topics` did with one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicOutcome {
    Created,
    /// It was there already, with this many partitions: not an error, so that creating
    /// topics is repeatable. The caller compares the count with what it asked for.
    AlreadyExists {
        partitions: i32,
    },
}

/// Creates the topics, reporting each one's outcome. Fails when no broker answers or
/// when the cluster refuses a topic for any reason other than its existence.
pub async fn create_topics(
    config: &KafkaConfig,
    topics: &[TopicSpec],
    timeout: Duration,
) -> Result<Vec<(String, TopicOutcome)>> {
    let admin = Arc::new(admin_client(config)?);
    let probe = admin.clone();
    let brokers = config.brokers.clone();
    blocking(move || reachable(probe.inner(), &brokers, timeout, Queue::Unpolled)).await?;

    let min_insync: Vec<String> = topics
        .iter()
        .map(|t| t.min_insync_replicas.to_string())
        .collect();
    let new_topics: Vec<NewTopic<'_>> = topics
        .iter()
        .zip(&min_insync)
        .map(|(t, min_insync)| {
            NewTopic::new(
                &t.name,
                t.partitions,
                TopicReplication::Fixed(t.replication_factor),
            )
            .set("min.insync.replicas", min_insync)
        })
        .collect();
    let options = AdminOptions::new()
        .operation_timeout(Some(timeout))
        .request_timeout(Some(timeout));
    let results = admin.create_topics(&new_topics, &options).await?;
    let mut outcomes = Vec::with_capacity(results.len());
    for result in results {
        outcomes.push(match result {
            Ok(name) => (name, TopicOutcome::Created),
            Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => {
                let probe = admin.clone();
                let topic = name.clone();
                let partitions = blocking(move || {
                    partitions_of(probe.inner(), &topic, timeout, Queue::Unpolled)
                })
                .await?;
                let partitions = i32::try_from(partitions.len()).unwrap_or(i32::MAX);
                (name, TopicOutcome::AlreadyExists { partitions })
            }
            Err((topic, code)) => return Err(Error::CreateTopic { topic, code }),
        });
    }
    Ok(outcomes)
}

/// The configuration of `topic` as the cluster reports it (`min.insync.replicas`,
/// `retention.ms`, …), each entry that has a value.
pub async fn topic_config(
    config: &KafkaConfig,
    topic: &str,
    timeout: Duration,
) -> Result<BTreeMap<String, String>> {
    let admin = admin_client(config)?;
    let options = AdminOptions::new().request_timeout(Some(timeout));
    let resources = admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], &options)
        .await?;
    let mut entries = BTreeMap::new();
    for resource in resources {
        let resource =
            resource.map_err(|code| Error::Kafka(rdkafka::error::KafkaError::AdminOp(code)))?;
        for entry in resource.entries {
            if let Some(value) = entry.value {
                entries.insert(entry.name, value);
            }
        }
    }
    Ok(entries)
}

/// The partitions of `topic`, in order.
pub async fn partitions(config: &KafkaConfig, topic: &str, timeout: Duration) -> Result<Vec<i32>> {
    let admin = admin_client(config)?;
    let topic = topic.to_owned();
    blocking(move || partitions_of(admin.inner(), &topic, timeout, Queue::Unpolled)).await
}

/// Fails with [`Error::Unreachable`] unless a broker answers a metadata request.
pub async fn ping(config: &KafkaConfig, timeout: Duration) -> Result<()> {
    let admin = admin_client(config)?;
    let brokers = config.brokers.clone();
    blocking(move || reachable(admin.inner(), &brokers, timeout, Queue::Unpolled)).await
}

fn admin_client(config: &KafkaConfig) -> Result<AdminClient<ClientLogging>> {
    config
        .client_config(&[])
        .create_with_context(ClientLogging)
        .map_err(Error::Config)
}

/// Whether anything else serves a client's main queue (its errors and log lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queue {
    /// A producer or a polled consumer: its context sees the errors.
    Polled,
    /// An admin client or a consumer that has not read yet: the errors are read here.
    Unpolled,
}

/// The cluster's metadata (all topics), or why it could not be had: a refusal as soon as
/// it is seen, else what librdkafka said at the deadline.
fn metadata<C: ClientContext>(
    client: &Client<C>,
    timeout: Duration,
    queue: Queue,
) -> std::result::Result<Metadata, Error> {
    const SLICE: Duration = Duration::from_millis(250);
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // All topics, not `Some(topic)`: brokers that auto-create topics (nisshi does)
        // would create one that is merely asked about.
        let error = match client.fetch_metadata(None, left.min(SLICE)) {
            Ok(metadata) => {
                diagnosis::clear();
                return Ok(metadata);
            }
            Err(error) => error,
        };
        if queue == Queue::Unpolled {
            for (code, text) in crate::ffi::drain_main_queue(client) {
                tracing::trace!(target: "librdkafka", ?code, "{text}");
                diagnosis::observe(code.map(Into::into), &text);
            }
        }
        if let Some(refusal) = diagnosis::refused() {
            return Err(Error::Refused(refusal));
        }
        if left <= SLICE || !retryable(&error) {
            return Err(Error::Kafka(error));
        }
    }
}

/// Errors a longer wait may cure: the ones of a cluster not (yet) answering.
fn retryable(error: &KafkaError) -> bool {
    use RDKafkaErrorCode::{AllBrokersDown, BrokerTransportFailure, OperationTimedOut};
    matches!(
        error.rdkafka_error_code(),
        Some(OperationTimedOut | AllBrokersDown | BrokerTransportFailure)
    )
}

pub(crate) fn reachable<C: ClientContext>(
    client: &Client<C>,
    brokers: &str,
    timeout: Duration,
    queue: Queue,
) -> Result<()> {
    match metadata(client, timeout, queue) {
        Ok(_) => Ok(()),
        Err(Error::Kafka(source)) => Err(Error::Unreachable {
            brokers: brokers.to_owned(),
            timeout_ms: timeout.as_millis(),
            cause: match source.rdkafka_error_code() {
                Some(code) => code.to_string(),
                None => source.to_string(),
            },
        }),
        Err(other) => Err(other),
    }
}

pub(crate) fn partitions_of<C: ClientContext>(
    client: &Client<C>,
    topic: &str,
    timeout: Duration,
    queue: Queue,
) -> Result<Vec<i32>> {
    let metadata = metadata(client, timeout, queue)?;
    let Some(found) = metadata.topics().iter().find(|t| t.name() == topic) else {
        return Err(Error::UnknownTopic(topic.to_owned()));
    };
    match found.error() {
        Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) => {
            Err(Error::UnknownTopic(topic.to_owned()))
        }
        Some(code) => Err(Error::Kafka(rdkafka::error::KafkaError::MetadataFetch(
            code.into(),
        ))),
        None if found.partitions().is_empty() => Err(Error::UnknownTopic(topic.to_owned())),
        None => {
            let mut ids: Vec<i32> = found.partitions().iter().map(|p| p.id()).collect();
            ids.sort_unstable();
            Ok(ids)
        }
    }
}

/// Runs a blocking librdkafka call on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_insync_replicas_is_one_less_than_the_replicas_and_at_least_one() {
        let defaults: Vec<i32> = (1..=5).map(default_min_insync_replicas).collect();
        assert_eq!(defaults, [1, 1, 2, 3, 4]);
    }
}
