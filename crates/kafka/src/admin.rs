//! Cluster administration: topics and metadata. (Offsets and reading records are
//! [`crate::reader`].)
//!
//! librdkafka's metadata and offset calls block; they run on tokio's blocking pool so
//! that callers stay async.

use crate::{ClientLogging, Error, KafkaConfig, Result};
use rdkafka::ClientContext;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::Client;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::types::RDKafkaRespErr;
use std::sync::Arc;
use std::time::Duration;

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
    blocking(move || reachable(probe.inner(), &brokers, timeout)).await?;

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
    blocking(move || partitions_of(admin.inner(), &topic, timeout)).await
}

/// Fails with [`Error::Unreachable`] unless a broker answers a metadata request.
pub async fn ping(config: &KafkaConfig, timeout: Duration) -> Result<()> {
    let admin = admin_client(config)?;
    let brokers = config.brokers.clone();
    blocking(move || reachable(admin.inner(), &brokers, timeout)).await
}

fn admin_client(config: &KafkaConfig) -> Result<AdminClient<ClientLogging>> {
    config
        .client_config(&[])
        .create_with_context(ClientLogging)
        .map_err(Error::Config)
}

pub(crate) fn reachable<C: ClientContext>(
    client: &Client<C>,
    brokers: &str,
    timeout: Duration,
) -> Result<()> {
    client
        .fetch_metadata(None, timeout)
        .map(|_| ())
        .map_err(|source| Error::Unreachable {
            brokers: brokers.to_owned(),
            timeout_ms: timeout.as_millis(),
            cause: match source.rdkafka_error_code() {
                Some(code) => code.to_string(),
                None => source.to_string(),
            },
        })
}

pub(crate) fn partitions_of<C: ClientContext>(
    client: &Client<C>,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<i32>> {
    // All topics, not `Some(topic)`: brokers that auto-create topics (nisshi does) would
    // create one that is merely asked about.
    let metadata = client.fetch_metadata(None, timeout)?;
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
