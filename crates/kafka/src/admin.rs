//! Cluster administration: topics, metadata and offsets.
//!
//! librdkafka's metadata and offset calls block; they run on tokio's blocking pool so
//! that callers stay async. A metadata request is asked in short slices, so that a
//! cluster that refuses this client (see [`crate::diagnosis`]) is reported within about
//! a second instead of after the whole time-out.

use crate::{ClientLogging, Error, KafkaConfig, Result, diagnosis};
use rdkafka::ClientContext;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::Client;
use rdkafka::error::KafkaError;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::metadata::Metadata;
use rdkafka::types::RDKafkaRespErr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A topic to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i32,
}

/// What `create_topics` did with one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicOutcome {
    Created,
    /// It was there already: not an error, so that creating topics is repeatable.
    AlreadyExists,
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

    let new_topics: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| {
            NewTopic::new(
                &t.name,
                t.partitions,
                TopicReplication::Fixed(t.replication_factor),
            )
        })
        .collect();
    let options = AdminOptions::new()
        .operation_timeout(Some(timeout))
        .request_timeout(Some(timeout));
    let results = admin.create_topics(&new_topics, &options).await?;
    results
        .into_iter()
        .map(|result| match result {
            Ok(name) => Ok((name, TopicOutcome::Created)),
            Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => {
                Ok((name, TopicOutcome::AlreadyExists))
            }
            Err((topic, code)) => Err(Error::CreateTopic { topic, code }),
        })
        .collect()
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

/// The low and high watermarks of one partition: the first offset still in the log and
/// the offset the next record will get.
pub async fn watermarks(
    config: &KafkaConfig,
    topic: &str,
    partition: i32,
    timeout: Duration,
) -> Result<(i64, i64)> {
    let admin = admin_client(config)?;
    let topic = topic.to_owned();
    blocking(move || Ok(admin.inner().fetch_watermarks(&topic, partition, timeout)?)).await
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
