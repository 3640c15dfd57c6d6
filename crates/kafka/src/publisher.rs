//! The producer behind `POST /orders` (and the dead-letter and replay writers).
//!
//! Idempotent with `acks=all`: an event the gateway confirmed with a 202 is on every
//! in-sync replica, and librdkafka's own retries never write it twice. Each request
//! awaits only its own delivery, so the many requests in flight at once are batched by
//! librdkafka into a few produce requests: throughput comes from concurrency, not from
//! waiting.

use crate::{ClientLogging, Error, KafkaConfig, Result, admin};
use async_trait::async_trait;
use orders_core::{OrderCreated, OrderPublisher, PublishError, Published};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Tuning of the producer; the defaults are what the benchmarks in `docs/` used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerSettings {
    /// How long an event may wait for the broker's acknowledgement, retries included.
    /// After it the caller is told [`PublishError::Timeout`]; keep it shorter than any
    /// HTTP timeout in front of the gateway.
    pub delivery_timeout: Duration,
    /// Events waiting for acknowledgement at most; past it publishing fails at once with
    /// [`PublishError::Backpressure`] instead of queueing without bound.
    pub max_queued: u32,
    /// How long librdkafka waits to fill a batch; every request may wait it.
    pub linger: Duration,
}

impl Default for ProducerSettings {
    fn default() -> Self {
        Self {
            delivery_timeout: Duration::from_secs(5),
            max_queued: 100_000,
            // Measured (docs/benchmarks.md): 1 ms makes batches of two at 2,000 orders/s
            // and doubles the broker's work; 5 ms makes 64 concurrent clients wait on the
            // timer; 4 ms did best at both.
            linger: Duration::from_millis(4),
        }
    }
}

/// A record to write as it is: used to dead-letter and to replay events with their key
/// and headers unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub topic: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Publishes to Kafka and answers once the broker acknowledged.
///
/// A fatal error of the idempotent producer (librdkafka's word for "this client instance
/// can no longer guarantee order and exactly-once writes", e.g. an out-of-order sequence
/// number after a broker lost data) leaves the producer refusing every record for good.
/// The publisher notices it before the next record and builds a new producer in its
/// place: events in flight on the old one fail (their callers retry, as for any broker
/// failure) and the process carries on. [`KafkaPublisher::health`] reports a fatal error
/// that could not be recovered from, for the liveness probe.
#[derive(Clone)]
pub struct KafkaPublisher {
    producer: Arc<RwLock<FutureProducer<ClientLogging>>>,
    client_config: rdkafka::ClientConfig,
    config: KafkaConfig,
    topic: String,
    delivery_timeout: Duration,
}

impl std::fmt::Debug for KafkaPublisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaPublisher")
            .field("brokers", &self.config.brokers)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl KafkaPublisher {
    /// A publisher of `order_created` events to `topic`. Does not contact the cluster:
    /// a gateway starts while the broker is down and reports it on its readiness probe.
    pub fn new(config: &KafkaConfig, topic: &str, settings: &ProducerSettings) -> Result<Self> {
        let timeout_ms = settings.delivery_timeout.as_millis().to_string();
        let linger_ms = settings.linger.as_secs_f64() * 1e3;
        let max_queued = settings.max_queued.to_string();
        let client_config = config.client_config(&[
            ("enable.idempotence", "true"),
            ("acks", "all"),
            ("message.timeout.ms", &timeout_ms),
            ("linger.ms", &linger_ms.to_string()),
            ("queue.buffering.max.messages", &max_queued),
            ("socket.nagle.disable", "true"),
        ]);
        let producer = client_config
            .create_with_context(ClientLogging)
            .map_err(Error::Config)?;
        Ok(Self {
            producer: Arc::new(RwLock::new(producer)),
            client_config,
            config: config.clone(),
            topic: topic.to_owned(),
            delivery_timeout: settings.delivery_timeout,
        })
    }

    /// The producer to send with: the current one, or a new one when the current one
    /// has hit a fatal error.
    fn producer(&self) -> Result<FutureProducer<ClientLogging>, PublishError> {
        let current = self
            .producer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if current.client().fatal_error().is_none() {
            return Ok(current);
        }
        let mut slot = self.producer.write().unwrap_or_else(|p| p.into_inner());
        // Another caller may have rebuilt it while this one waited for the lock.
        if let Some((code, reason)) = slot.client().fatal_error() {
            let fresh: FutureProducer<ClientLogging> = self
                .client_config
                .create_with_context(ClientLogging)
                .map_err(|e| {
                    PublishError::Broker(format!(
                        "the producer hit a fatal error ({code}: {reason}) and a new one \
                         could not be built: {e}"
                    ))
                })?;
            tracing::error!(
                %code,
                reason,
                client_id = %self.config.client_id,
                "the producer hit a fatal error: replaced it with a new one; events in \
                 flight on the old one fail and are retried by their callers"
            );
            metrics::counter!("orders_producer_rebuilds_total", "client_id" => self.config.client_id.clone())
                .increment(1);
            let old = std::mem::replace(&mut *slot, fresh);
            // Destroying a producer may wait on its broker connections: not on an async
            // worker.
            std::thread::spawn(move || drop(old));
        }
        Ok(slot.clone())
    }

    /// Fails while the producer is unusable: a fatal error it could not recover from.
    pub fn health(&self) -> Result<(), PublishError> {
        self.producer().map(|_| ())
    }

    /// Makes the current producer fail as librdkafka does on a fatal idempotence error,
    /// so that tests can check that the publisher recovers. Not for production use.
    #[doc(hidden)]
    pub fn inject_fatal_error(&self) {
        let producer = self
            .producer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        crate::ffi::inject_fatal_error(producer.client(), "injected by a test");
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Writes `record` and waits for the broker's acknowledgement.
    pub async fn publish_record(&self, record: &Record) -> Result<Published, PublishError> {
        let started = Instant::now();
        let result = self.send(record).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(PublishError::Backpressure) => "backpressure",
            Err(PublishError::Timeout) => "timeout",
            Err(PublishError::Broker(_)) => "error",
            Err(PublishError::Refused(_)) => "refused",
        };
        let labels = [
            ("topic", record.topic.clone()),
            ("outcome", outcome.to_owned()),
        ];
        metrics::histogram!("orders_publish_duration_seconds", &labels)
            .record(started.elapsed().as_secs_f64());
        if result.is_err() {
            metrics::counter!("orders_publish_failures_total", &labels).increment(1);
        }
        result
    }

    /// Writes `record` with one more header whose key is any bytes, as another client
    /// may write one (the Kafka protocol says keys are strings; nothing enforces it). For
    /// tests of what consumers do with such records; not for production use.
    #[doc(hidden)]
    pub async fn publish_with_raw_header(
        &self,
        record: &Record,
        key: &[u8],
        value: &[u8],
    ) -> Result<Published, PublishError> {
        self.send_with(record, Some((key, value))).await
    }

    async fn send(&self, record: &Record) -> Result<Published, PublishError> {
        self.send_with(record, None).await
    }

    async fn send_with(
        &self,
        record: &Record,
        raw_header: Option<(&[u8], &[u8])>,
    ) -> Result<Published, PublishError> {
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len() + 1);
        for (key, value) in &record.headers {
            headers = headers.insert(Header {
                key,
                value: Some(value),
            });
        }
        if let Some((key, value)) = raw_header {
            crate::ffi::add_raw_header(&headers, key, value);
        }
        let mut future = FutureRecord::<[u8], [u8]>::to(&record.topic).headers(headers);
        if let Some(key) = &record.key {
            future = future.key(key.as_slice());
        }
        if let Some(value) = &record.value {
            future = future.payload(value.as_slice());
        }
        if let Some(partition) = record.partition {
            future = future.partition(partition);
        }
        let delivery = self
            .producer()?
            .send_result(future)
            .map_err(|(e, _)| publish_error(e))?;
        // librdkafka fails the delivery itself at `message.timeout.ms`; this timer (a
        // little later) only guards against a delivery report that never comes.
        let guard = self.delivery_timeout + Duration::from_secs(1);
        match tokio::time::timeout(guard, delivery).await {
            Err(_) => Err(PublishError::Timeout),
            Ok(Err(_canceled)) => Err(PublishError::Broker("the producer was shut down".into())),
            Ok(Ok(Err((e, _)))) => Err(publish_error(e)),
            Ok(Ok(Ok(delivery))) => Ok(Published {
                partition: delivery.partition,
                offset: delivery.offset,
            }),
        }
    }

    /// Waits until every queued event is acknowledged (or `timeout` passes): called on
    /// shutdown, because dropping a producer discards what it still holds.
    pub async fn flush(&self, timeout: Duration) -> Result<()> {
        let producer = self
            .producer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        tokio::task::spawn_blocking(move || producer.flush(timeout))
            .await
            .map_err(|e| Error::Task(e.to_string()))?
            .map_err(Error::Kafka)
    }

    /// Events handed to librdkafka and not yet acknowledged.
    pub fn in_flight(&self) -> i32 {
        self.producer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .in_flight_count()
    }

    /// Succeeds when a broker answers a metadata request for the topic in `timeout`.
    pub async fn ping(&self, timeout: Duration) -> Result<()> {
        let producer = self.producer().map_err(|e| Error::Task(e.to_string()))?;
        let topic = self.topic.clone();
        admin::blocking(move || {
            admin::partitions_of(producer.client(), &topic, timeout, admin::Queue::Polled)
        })
        .await
        .map(|_| ())
    }
}

#[async_trait]
impl OrderPublisher for KafkaPublisher {
    /// Publishes in a producer span (OpenTelemetry messaging conventions) whose context
    /// travels in the record's `traceparent` header, so the order-service's spans join
    /// the caller's trace.
    async fn publish(&self, event: &OrderCreated) -> Result<Published, PublishError> {
        let id = event.correlation_id.as_str();
        let span = tracing::debug_span!(
            "send",
            otel.name = %format_args!("send {}", self.topic),
            otel.kind = "producer",
            otel.status_code = tracing::field::Empty,
            messaging.system = "kafka",
            messaging.operation.type = "send",
            messaging.operation.name = "send",
            messaging.destination.name = %self.topic,
            messaging.kafka.message.key = id,
            messaging.destination.partition.id = tracing::field::Empty,
            messaging.kafka.offset = tracing::field::Empty,
            correlation_id = id,
        );
        let mut headers = Vec::new();
        orders_telemetry::propagation::inject_into_record(&span, &mut headers);
        let record = Record {
            topic: self.topic.clone(),
            partition: None,
            key: Some(id.as_bytes().to_vec()),
            value: Some(event.to_json()),
            headers,
        };
        let published = self.publish_record(&record).instrument(span.clone()).await;
        match &published {
            Ok(p) => {
                span.record(
                    "messaging.destination.partition.id",
                    p.partition.to_string(),
                );
                span.record("messaging.kafka.offset", p.offset);
            }
            Err(_) => {
                span.record("otel.status_code", "ERROR");
            }
        }
        published
    }

    async fn ready(&self) -> Result<(), PublishError> {
        self.ping(Duration::from_secs(2))
            .await
            .map_err(|e| PublishError::Broker(e.to_string()))
    }
}

fn publish_error(error: KafkaError) -> PublishError {
    use RDKafkaErrorCode::*;
    match error.rdkafka_error_code() {
        Some(QueueFull) => PublishError::Backpressure,
        Some(MessageTimedOut | RequestTimedOut) => PublishError::Timeout,
        // What the broker (or librdkafka, before sending) refuses for the record itself.
        Some(
            MessageSizeTooLarge | InvalidMessageSize | InvalidMessage | InvalidRecord
            | InvalidTopic | PolicyViolation | UnknownPartition | InvalidArgument,
        ) => PublishError::Refused(error.to_string()),
        _ => PublishError::Broker(error.to_string()),
    }
}
