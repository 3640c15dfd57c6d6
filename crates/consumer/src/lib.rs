//! The order-service: consumes `order_created` as a member of `order-service-group` and
//! keeps every valid event as a `pending` order.
//!
//! It is split the way it can be tested: [`handle`] decides what one record is (pure),
//! the worker loops around it (poll, persist in batches, dead-letter, store offsets,
//! retry), and the admin HTTP shows what it did. Delivery is at least once: an offset
//! is stored only after its order is committed, and the store ignores an event whose
//! correlation id it already has, so a redelivery after a crash creates nothing twice.

mod admin;
pub mod dead_letter;
pub mod handle;
mod status;
mod worker;

pub use admin::MAX_LOOKUP;
pub use dead_letter::DeadLetters;
pub use status::{Counters, Status};
pub use worker::Backoff;

use orders_core::{CreateOrders, OrderStore};
use orders_http::{Draining, ServeOptions};
use orders_kafka::consumer::{GroupMember, GroupSettings};
use orders_kafka::{KafkaConfig, KafkaPublisher, ProducerSettings};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How the order-service behaves; plain data, filled by the CLI.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// The topic of `order_created` events.
    pub topic: String,
    pub group: GroupSettings,
    /// Where invalid records go; `None` logs and skips them.
    pub dead_letter_topic: Option<String>,
    /// Most records persisted in one transaction.
    pub max_batch: usize,
    pub backoff: Backoff,
    pub serve: ServeOptions,
}

impl ConsumerConfig {
    pub fn new(topic: impl Into<String>, group_id: impl Into<String>) -> Self {
        let topic = topic.into();
        Self {
            dead_letter_topic: Some(format!("{topic}-dlt")),
            topic,
            group: GroupSettings::new(group_id),
            max_batch: 2_000,
            backoff: Backoff::default(),
            serve: ServeOptions::default(),
        }
    }
}

/// Why the order-service could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Kafka(#[from] orders_kafka::Error),
    #[error("admin HTTP server: {0}")]
    Admin(#[from] std::io::Error),
}

/// Consumes and serves the admin port until `shutdown` completes; then finishes the
/// batch in hand, commits its offsets, leaves the group and drains the admin port.
pub async fn run(
    kafka: &KafkaConfig,
    store: Arc<dyn OrderStore>,
    config: ConsumerConfig,
    admin_listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let member = GroupMember::join(kafka, &config.group, &[&config.topic])?;
    let commits = member.commit_health();
    let dead_letters = match &config.dead_letter_topic {
        Some(topic) => {
            let publisher = KafkaPublisher::new(
                &kafka.with_client_id(format!("{}-dlt", kafka.client_id)),
                topic,
                &ProducerSettings::default(),
            )?;
            Some(DeadLetters::new(
                publisher,
                topic.clone(),
                config.group.group_id.clone(),
            ))
        }
        None => None,
    };
    let status = Arc::new(Status::default());
    let draining = Draining::default();
    let worker = worker::Worker {
        member,
        create: CreateOrders::new(store.clone()),
        dead_letters,
        status: status.clone(),
        group: config.group.group_id.clone(),
        max_batch: config.max_batch,
        backoff: config.backoff,
    };
    tracing::info!(
        topic = %config.topic,
        group = %config.group.group_id,
        dead_letter_topic = config.dead_letter_topic.as_deref().unwrap_or("(none)"),
        "order-service consuming"
    );
    if let Ok(address) = admin_listener.local_addr() {
        tracing::info!(%address, "order-service admin listening");
    }

    let (stop, stopped) = watch::channel(false);
    let admin = admin::router(admin::Admin {
        store,
        status,
        commits,
        unready_after: config.group.session_timeout,
        unhealthy_after: config.group.session_timeout * 6,
        draining: draining.clone(),
    });
    let serving = orders_http::serve(
        admin_listener,
        admin,
        draining,
        config.serve,
        signalled(stopped.clone()),
    );
    let consuming = async move {
        worker.run(signalled(stopped)).await;
    };
    let signal = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    let (served, (), ()) = tokio::join!(serving, consuming, signal);
    served?;
    Ok(())
}

/// Completes once `true` is sent (or the sender is gone).
async fn signalled(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}
