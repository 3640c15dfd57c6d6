//! Kafka for the orders pipeline, on rdkafka (librdkafka).
//!
//! Everything that knows about Kafka lives here, behind small types the services use:
//! [`KafkaConfig`] (brokers, client id and any librdkafka property, from the seed's
//! environment), [`KafkaPublisher`] (the gateway's idempotent producer, implementing the
//! core's [`OrderPublisher`](orders_core::OrderPublisher) port), the order-service's group
//! member in [`consumer`], reading without a group in [`reader`] (`tail`, `trace`, `dlq`,
//! `lag`), the dead-letter record format in [`dead_letter`], and [`admin`] (topics,
//! metadata, readiness). The code does not care whether the broker is Apache Kafka or
//! nisshi.

pub mod admin;
mod config;
pub mod consumer;
mod context;
pub mod dead_letter;
pub mod diagnosis;
mod ffi;
pub mod lag;
pub mod published;
mod publisher;
pub mod reader;
mod record;
pub mod topics;

pub use config::{KafkaConfig, is_secret, parse_option};
pub use context::ClientLogging;
pub use publisher::{KafkaPublisher, ProducerSettings, Record};
pub use rdkafka;
pub use record::ReceivedRecord;
pub use topics::{Consumer, Topics};

use rdkafka::error::KafkaError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong talking to Kafka.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// librdkafka refused the configuration (a bad `-X key=value`, say).
    #[error("invalid Kafka client configuration: {0}")]
    Config(KafkaError),
    /// No broker answered within the deadline.
    #[error("no Kafka broker answered at {brokers} within {timeout_ms} ms ({cause})")]
    Unreachable {
        brokers: String,
        timeout_ms: u128,
        cause: String,
    },
    /// The cluster refused this client: credentials, certificates or the transport are
    /// wrong (one line saying which; see [`diagnosis`]).
    #[error("Kafka refused the connection: {0}")]
    Refused(String),
    /// The topic does not exist on the cluster.
    #[error("topic {0} does not exist (create it with `orders topics create {0}`)")]
    UnknownTopic(String),
    /// The cluster refused to create a topic.
    #[error("cannot create topic {topic}: {code}")]
    CreateTopic {
        topic: String,
        code: rdkafka::error::RDKafkaErrorCode,
    },
    // librdkafka's errors print their cause themselves: no `#[source]` here, so that a
    // message does not say it twice.
    #[error("Kafka: {0}")]
    Kafka(KafkaError),
    /// A blocking librdkafka call could not be run.
    #[error("Kafka client task failed: {0}")]
    Task(String),
}

impl From<KafkaError> for Error {
    fn from(error: KafkaError) -> Self {
        Self::Kafka(error)
    }
}
