//! The order-service: keeps every order the gateway accepted, from `pending` to its final
//! state, and announces that state.
//!
//! It consumes `order_created` (the order, pending) and the saga's outcomes
//! (`inventory_rejected`, `payment_completed`, `payment_failed`) in `order-service-group`,
//! and publishes `order_confirmed` or `order_rejected` once an order's outcome is known.
//! It is the first service on the runtime ([`orders_runtime`]): what it brings is
//! [`handle::decide`] (what one record is; pure), [`OrderService::apply`] (a batch of
//! events into the store, in one transaction that also writes the announcements to the
//! outbox) and its own admin endpoints (the orders it keeps). Delivery is at least once:
//! an offset is stored only after its batch is committed, and the store ignores an event
//! it already has, so a redelivery after a crash changes nothing.

mod admin;
pub mod handle;

pub use admin::MAX_LOOKUP;

use async_trait::async_trait;
use chrono::{SubsecRound, Utc};
use orders_core::saga::EventKind;
use orders_core::{FinalTopics, NewOrder, OrderEvent, OrderStore, Outbox, StoreError};
use orders_http::ServeOptions;
use orders_kafka::consumer::GroupSettings;
use orders_kafka::{Consumer, KafkaConfig, ReceivedRecord, Topics};
use orders_runtime::{
    Applied, Backoff, Counter, Handler, Item, OutboxSpec, Rejection, ServiceConfig, StoreSpan,
};
use std::future::Future;
use std::sync::Arc;

pub use orders_runtime::Error;

/// How the order-service behaves; plain data, filled by the CLI.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// Every topic of the pipeline: what it consumes and where it announces.
    pub topics: Topics,
    pub group: GroupSettings,
    /// Where invalid records go; `None` logs and skips them.
    pub dead_letter_topic: Option<String>,
    /// Most records applied in one transaction.
    pub max_batch: usize,
    pub backoff: Backoff,
    pub serve: ServeOptions,
    /// See [`ServiceConfig::admin_token`].
    pub admin_token: Option<orders_http::Credentials>,
}

impl ConsumerConfig {
    /// The default topics, with `order_created` named `topic`.
    pub fn new(topic: impl Into<String>, group_id: impl Into<String>) -> Self {
        let mut topics = Topics::default();
        topics.set(EventKind::OrderCreated, topic);
        Self::with_topics(topics, group_id)
    }

    pub fn with_topics(topics: Topics, group_id: impl Into<String>) -> Self {
        Self {
            dead_letter_topic: Some(topics.dead_letters(Consumer::OrderService).to_owned()),
            topics,
            group: GroupSettings::new(group_id),
            max_batch: 2_000,
            backoff: Backoff::default(),
            serve: ServeOptions::default(),
            admin_token: None,
        }
    }

    fn service(&self) -> ServiceConfig {
        let mut service = ServiceConfig::new(
            NAME,
            self.topics.consumed_by(Consumer::OrderService),
            self.group.group_id.clone(),
        );
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

static COUNTERS: [Counter; 7] = [
    Counter {
        stat: "created",
        metric: "orders_orders_created_total",
    },
    Counter {
        stat: "duplicates",
        metric: "orders_events_duplicate_total",
    },
    Counter {
        stat: "outcomes",
        metric: "orders_outcomes_recorded_total",
    },
    Counter {
        stat: "held",
        metric: "orders_outcomes_held_total",
    },
    Counter {
        stat: "ordersConfirmed",
        metric: "orders_orders_confirmed_total",
    },
    Counter {
        stat: "ordersRejected",
        metric: "orders_orders_rejected_total",
    },
    Counter {
        stat: "duplicateOutcomes",
        metric: "orders_outcomes_duplicate_total",
    },
];

/// The order-service's decisions, for the runtime.
#[derive(Debug, Clone)]
pub struct OrderService {
    store: Arc<dyn OrderStore>,
    outbox: Arc<dyn Outbox>,
    topics: Topics,
    finals: FinalTopics,
}

impl OrderService {
    pub fn new(store: Arc<dyn OrderStore>, outbox: Arc<dyn Outbox>, topics: Topics) -> Self {
        Self {
            finals: FinalTopics {
                confirmed: topics.of(EventKind::OrderConfirmed).to_owned(),
                rejected: topics.of(EventKind::OrderRejected).to_owned(),
            },
            store,
            outbox,
            topics,
        }
    }
}

#[async_trait]
impl Handler for OrderService {
    type Input = OrderEvent;

    fn counters(&self) -> &'static [Counter] {
        &COUNTERS
    }

    fn decide(&self, record: &ReceivedRecord) -> Result<OrderEvent, Rejection> {
        handle::decide(record, self.topics.kind_of(&record.topic))
    }

    async fn apply(&self, batch: &[Item<OrderEvent>]) -> Result<Applied, StoreError> {
        // Microseconds: what both stores keep, so the stamp is the one read back.
        let persisted_at = Utc::now().trunc_subsecs(6);
        let events: Vec<OrderEvent> = batch
            .iter()
            .map(|item| match &item.input {
                OrderEvent::Created(order) => OrderEvent::Created(NewOrder {
                    persisted_at,
                    source: Some(item.source.clone()),
                    ..order.clone()
                }),
                OrderEvent::Outcome { outcome, .. } => OrderEvent::Outcome {
                    outcome: outcome.clone(),
                    source: item.source.clone(),
                },
            })
            .collect();
        let traces: Vec<_> = batch.iter().map(|item| item.trace.clone()).collect();
        let done = self.store.apply(&events, &traces, &self.finals).await?;
        let mut applied = Applied::default();
        applied.count("created", done.created as u64);
        applied.count("duplicates", done.duplicates as u64);
        applied.count("outcomes", done.outcomes as u64);
        applied.count("held", done.held as u64);
        applied.count("ordersConfirmed", done.confirmed as u64);
        applied.count("ordersRejected", done.rejected as u64);
        applied.count("duplicateOutcomes", done.duplicate_outcomes as u64);
        // The client got a 202 for an order that will not exist as it sent it: never
        // silently, it goes to the dead-letter topic with the fields that differ.
        applied.rejected = done
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

    fn outbox(&self) -> Option<OutboxSpec> {
        Some(OutboxSpec {
            outbox: self.outbox.clone(),
            topics: vec![self.finals.confirmed.clone(), self.finals.rejected.clone()],
        })
    }
}

/// Consumes and serves the admin port until `shutdown` completes; then finishes the
/// batch in hand, commits its offsets, leaves the group and drains the admin port.
pub async fn run(
    kafka: &KafkaConfig,
    store: Arc<dyn OrderStore>,
    outbox: Arc<dyn Outbox>,
    config: ConsumerConfig,
    admin_listener: impl Into<orders_http::HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    orders_runtime::run(
        kafka,
        config.service(),
        Arc::new(OrderService::new(
            store.clone(),
            outbox,
            config.topics.clone(),
        )),
        admin::routes(store),
        admin_listener,
        shutdown,
    )
    .await
}
