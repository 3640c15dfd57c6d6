//! The runtime every consuming service of the pipeline stands on.
//!
//! A service is a [`Handler`]: how to read one record ([`Handler::decide`], pure) and how
//! to apply a batch to its store ([`Handler::apply`], one transaction that writes its
//! state and the events it publishes). [`run`] does everything else, the same way for
//! every service:
//!
//! - a member of the service's consumer group, with offsets stored by hand only after a
//!   batch is applied and its rejects are acknowledged on the dead-letter topic
//!   (at-least-once delivery, exactly-once effect, as long as `apply` is idempotent);
//! - batches that grow with the load (a lone record is applied at once);
//! - dead-lettering with the standard `dlt-*` headers, for records the service cannot
//!   read, that its store refuses (found by splitting the batch) or that it refuses;
//! - retries with capped exponential backoff for what may pass, with the member's
//!   partitions paused so that it stays in its group;
//! - a span per record continuing the producer's trace, and per-service metrics;
//! - the admin HTTP: `/healthz`, `/readyz` (following retries and offset commits),
//!   `/stats`, `/metrics`, plus the service's own routes;
//! - graceful shutdown where no step waits on a broker or a database without a deadline.
//!
//! `docs/architecture.md` shows how a service is written, with the order-service.

mod admin;
pub mod dead_letter;
mod handler;
mod relay;
mod retry;
mod status;
mod worker;

pub use admin::{OrderQuery, store_error};
pub use dead_letter::DeadLetters;
pub use handler::{Applied, Counter, Handler, Item, Rejection, StoreSpan};
pub use relay::OutboxSpec;
pub use retry::Backoff;
pub use status::Status;

use axum::Router;
use orders_core::StoreError;
use orders_http::{Credentials, Draining, HttpListener, ServeOptions};
use orders_kafka::consumer::{GroupMember, GroupSettings};
use orders_kafka::{KafkaConfig, KafkaPublisher, ProducerSettings};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How a consuming service runs; plain data, filled by the CLI.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The service's name in logs, metrics (`service` label) and `/stats`.
    pub name: &'static str,
    /// The topics it consumes.
    pub topics: Vec<String>,
    pub group: GroupSettings,
    /// Where records it cannot use go; `None` logs and skips them.
    pub dead_letter_topic: Option<String>,
    /// Most records applied in one batch.
    pub max_batch: usize,
    pub backoff: Backoff,
    /// Longest one store or dead-letter call may take before it counts as failed and is
    /// retried.
    pub op_timeout: Duration,
    pub serve: ServeOptions,
    /// The bearer token the admin HTTP requires for everything but `/healthz`, `/readyz`
    /// and `/metrics`; `None` leaves it open (bind it to loopback then).
    pub admin_token: Option<Credentials>,
}

impl ServiceConfig {
    pub fn new(name: &'static str, topics: Vec<String>, group_id: impl Into<String>) -> Self {
        Self {
            name,
            topics,
            group: GroupSettings::new(group_id),
            dead_letter_topic: None,
            max_batch: 2_000,
            backoff: Backoff::default(),
            op_timeout: Duration::from_secs(15),
            serve: ServeOptions::default(),
            admin_token: None,
        }
    }
}

/// Why a service could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Kafka(#[from] orders_kafka::Error),
    #[error("admin HTTP server: {0}")]
    Admin(#[from] std::io::Error),
}

/// Consumes with `handler` and serves the admin port (the runtime's routes plus
/// `routes`) until `shutdown` completes; then finishes the batch in hand, commits its
/// offsets, leaves the group and drains the admin port.
pub async fn run<H: Handler>(
    kafka: &KafkaConfig,
    config: ServiceConfig,
    handler: Arc<H>,
    routes: Router,
    admin_listener: impl Into<HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let admin_listener = admin_listener.into();
    let topics: Vec<&str> = config.topics.iter().map(String::as_str).collect();
    let member = GroupMember::join(kafka, &config.group, &topics)?;
    let commits = member.commit_health();
    let mut alive: Vec<Arc<dyn Fn() -> Result<(), String> + Send + Sync>> = Vec::new();
    let dead_letters = match &config.dead_letter_topic {
        Some(topic) => {
            let publisher = KafkaPublisher::new(
                &kafka.with_client_id(format!("{}-dlt", kafka.client_id)),
                topic,
                &ProducerSettings::default(),
            )?;
            let health = publisher.clone();
            alive.push(Arc::new(move || {
                health
                    .health()
                    .map_err(|e| format!("the dead-letter producer is broken: {e}"))
            }));
            Some(DeadLetters::new(
                publisher,
                topic.clone(),
                config.group.group_id.clone(),
            ))
        }
        None => None,
    };
    let status = Arc::new(Status::new(config.name, handler.counters()));
    let draining = Draining::default();
    let applied = Arc::new(Notify::new());
    let relay = match handler.outbox() {
        Some(spec) => {
            let publisher = KafkaPublisher::new(
                &kafka.with_client_id(format!("{}-relay", kafka.client_id)),
                "",
                &ProducerSettings {
                    // Long: a broker that is slow to acknowledge is waited for rather than
                    // given up on, since giving up means reading the topics to find out
                    // what landed.
                    delivery_timeout: Duration::from_secs(30),
                    ..ProducerSettings::default()
                },
            )?;
            let health = publisher.clone();
            alive.push(Arc::new(move || {
                health
                    .health()
                    .map_err(|e| format!("the outbox relay's producer is broken: {e}"))
            }));
            Some(relay::Relay {
                spec,
                kafka: kafka.clone(),
                publisher,
                status: status.clone(),
                wake: applied.clone(),
                settings: relay::RelaySettings::default(),
                owner: format!("{}-{}", config.name, uuid::Uuid::new_v4()),
            })
        }
        None => None,
    };
    let worker = worker::Worker {
        member,
        handler: handler.clone(),
        dead_letters,
        status: status.clone(),
        group: config.group.group_id.clone(),
        max_batch: config.max_batch,
        backoff: config.backoff,
        op_timeout: config.op_timeout,
        close_timeout: config.serve.shutdown_timeout,
        applied,
    };
    tracing::info!(
        service = config.name,
        topics = %config.topics.join(","),
        group = %config.group.group_id,
        dead_letter_topic = config.dead_letter_topic.as_deref().unwrap_or("(none)"),
        "consuming"
    );
    if let Ok(address) = axum::serve::Listener::local_addr(&admin_listener) {
        let scheme = admin_listener.scheme();
        let token = config.admin_token.is_some();
        tracing::info!(service = config.name, %address, scheme, token, "admin listening");
    }

    let (stop, stopped) = watch::channel(false);
    let admin = admin::router(
        admin::Admin {
            status,
            probe: Arc::new(HandlerProbe(handler)),
            commits,
            unready_after: config.group.session_timeout,
            unhealthy_after: config.group.session_timeout * 6,
            draining: draining.clone(),
            alive,
        },
        routes,
        config.admin_token.clone(),
    );
    let serving = orders_http::serve(
        admin_listener,
        admin,
        draining,
        config.serve,
        signalled(stopped.clone()),
    );
    let relaying = {
        let stopped = stopped.clone();
        async move {
            if let Some(relay) = relay {
                relay.run(signalled(stopped)).await;
            }
        }
    };
    let consuming = worker.run(signalled(stopped));
    let signal = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    let (served, (), (), ()) = tokio::join!(serving, consuming, relaying, signal);
    served?;
    Ok(())
}

struct HandlerProbe<H>(Arc<H>);

#[async_trait::async_trait]
impl<H: Handler> admin::Probe for HandlerProbe<H> {
    async fn ready(&self) -> Result<(), StoreError> {
        self.0.ready().await
    }
}

/// Completes once `true` is sent (or the sender is gone).
async fn signalled(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}
