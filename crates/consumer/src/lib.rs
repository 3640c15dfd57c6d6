//! The order-service: consumes `order_created` as a member of `order-service-group` and
//! keeps every valid event as a `pending` order.
//!
//! It is the first service on the runtime ([`orders_runtime`]): what it brings is
//! [`handle::decide`] (what one record is; pure), [`OrderService::apply`] (a batch of
//! events into the store, in one transaction) and its own admin endpoints (the orders it
//! keeps). Delivery is at least once: an offset is stored only after its order is
//! committed, and the store ignores an event whose correlation id it already has, so a
//! redelivery after a crash creates nothing twice.

mod admin;
pub mod handle;

pub use admin::MAX_LOOKUP;

use async_trait::async_trait;
use orders_core::{CreateOrders, OrderCreated, OrderStore, StoreError};
use orders_http::ServeOptions;
use orders_kafka::KafkaConfig;
use orders_kafka::consumer::GroupSettings;
use orders_runtime::{
    Applied, Backoff, Counter, Handler, Item, Rejection, ServiceConfig, StoreSpan,
};
use std::future::Future;
use std::sync::Arc;

pub use orders_runtime::Error;

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
    /// See [`ServiceConfig::admin_token`].
    pub admin_token: Option<orders_http::Credentials>,
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
            admin_token: None,
        }
    }

    fn service(&self) -> ServiceConfig {
        let mut service =
            ServiceConfig::new(NAME, vec![self.topic.clone()], self.group.group_id.clone());
        service.group = self.group.clone();
        service.dead_letter_topic = self.dead_letter_topic.clone();
        service.max_batch = self.max_batch;
        service.backoff = self.backoff;
        service.serve = self.serve;
        service.admin_token = self.admin_token.clone();
        service
    }
}

const NAME: &str = "order-service";

static COUNTERS: [Counter; 2] = [
    Counter {
        stat: "created",
        metric: "orders_orders_created_total",
    },
    Counter {
        stat: "duplicates",
        metric: "orders_events_duplicate_total",
    },
];

/// The order-service's decisions, for the runtime.
#[derive(Debug, Clone)]
pub struct OrderService {
    store: Arc<dyn OrderStore>,
    create: CreateOrders,
}

impl OrderService {
    pub fn new(store: Arc<dyn OrderStore>) -> Self {
        Self {
            create: CreateOrders::new(store.clone()),
            store,
        }
    }
}

#[async_trait]
impl Handler for OrderService {
    type Input = OrderCreated;

    fn counters(&self) -> &'static [Counter] {
        &COUNTERS
    }

    fn decide(&self, record: &orders_kafka::ReceivedRecord) -> Result<OrderCreated, Rejection> {
        handle::decide(record)
    }

    async fn apply(&self, batch: &[Item<OrderCreated>]) -> Result<Applied, StoreError> {
        let inserted = self
            .create
            .execute(
                batch
                    .iter()
                    .map(|item| (item.input.clone(), Some(item.source.clone()))),
            )
            .await?;
        let mut applied = Applied::default();
        applied.count("created", inserted.created as u64);
        applied.count("duplicates", inserted.duplicates as u64);
        // The client got a 202 for an order that will not exist as it sent it: never
        // silently, it goes to the dead-letter topic with the fields that differ.
        applied.rejected = inserted
            .conflicts
            .into_iter()
            .map(|c| (c.index, Rejection::new("conflicting_duplicate", c.reason)))
            .collect();
        Ok(applied)
    }

    async fn ready(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    fn store_span(&self) -> StoreSpan {
        StoreSpan {
            system: self.store.system(),
            operation: "INSERT",
            collection: "orders",
        }
    }
}

/// Consumes and serves the admin port until `shutdown` completes; then finishes the
/// batch in hand, commits its offsets, leaves the group and drains the admin port.
pub async fn run(
    kafka: &KafkaConfig,
    store: Arc<dyn OrderStore>,
    config: ConsumerConfig,
    admin_listener: impl Into<orders_http::HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    orders_runtime::run(
        kafka,
        config.service(),
        Arc::new(OrderService::new(store.clone())),
        admin::routes(store),
        admin_listener,
        shutdown,
    )
    .await
}
