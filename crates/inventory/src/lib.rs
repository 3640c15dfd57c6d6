//! The inventory-service: holds the stock and decides, for each order, whether every item
//! of it can be reserved.
//!
//! It consumes `order_created` (reserve every item at once, or none: `inventory_reserved`
//! or `inventory_rejected` with each shortage), `payment_completed` (the reservation is
//! final) and `payment_failed` (the units go back: `inventory_released`), in
//! `inventory-service-group`. On the runtime it is what it decides for a record
//! ([`decide`]), how a batch is applied (the store's one transaction, with the rules of
//! [`orders_core::saga::inventory`]) and its admin endpoints: the stock and each order's
//! reservation.

use async_trait::async_trait;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use orders_core::api::{Reservation, StockList};
use orders_core::saga::{EventKind, PaymentCompleted, PaymentFailed, SagaEvent};
use orders_core::{EventError, OrderCreated, StoreError};
use orders_http::ApiError;
use orders_kafka::{Consumer, KafkaConfig, ReceivedRecord, Topics};
use orders_runtime::{
    Applied, Counter, Handler, Item, OrderQuery, OutboxSpec, Rejection, ServiceConfig, StoreSpan,
};
use orders_store::inventory::{InventoryEvent, InventoryStore, InventoryTopics};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

pub use orders_runtime::Error;

const NAME: &str = "inventory-service";

static COUNTERS: [Counter; 7] = [
    Counter {
        stat: "reserved",
        metric: "orders_inventory_reserved_total",
    },
    Counter {
        stat: "outOfStock",
        metric: "orders_inventory_rejected_total",
    },
    Counter {
        stat: "committed",
        metric: "orders_inventory_committed_total",
    },
    Counter {
        stat: "released",
        metric: "orders_inventory_released_total",
    },
    Counter {
        stat: "held",
        metric: "orders_inventory_held_total",
    },
    Counter {
        stat: "duplicates",
        metric: "orders_events_duplicate_total",
    },
    Counter {
        stat: "conflicts",
        metric: "orders_events_conflicting_total",
    },
];

/// The runtime configuration of the inventory-service for these topics and group.
pub fn config(topics: &Topics, group: impl Into<String>) -> ServiceConfig {
    let mut config = ServiceConfig::new(NAME, topics.consumed_by(Consumer::Inventory), group);
    config.dead_letter_topic = Some(topics.dead_letters(Consumer::Inventory).to_owned());
    config
}

/// Reads one record: an order, or a payment's outcome.
pub fn decide(
    record: &ReceivedRecord,
    kind: Option<EventKind>,
) -> Result<InventoryEvent, Rejection> {
    if let Some(problem) = &record.header_error {
        return Err(Rejection::new("bad_headers", problem.clone()));
    }
    let Some(value) = record.value.as_deref() else {
        return Err(rejection(&EventError::NotJson(
            "the record has no value".into(),
        )));
    };
    let read = match kind {
        Some(EventKind::OrderCreated) => OrderCreated::from_json(value).map(InventoryEvent::Order),
        Some(EventKind::PaymentCompleted) => {
            PaymentCompleted::from_json(value).map(InventoryEvent::PaymentCompleted)
        }
        Some(EventKind::PaymentFailed) => {
            PaymentFailed::from_json(value).map(InventoryEvent::PaymentFailed)
        }
        _ => {
            return Err(Rejection::new(
                "unexpected_topic",
                format!(
                    "the inventory-service does not handle records of {}",
                    record.topic
                ),
            ));
        }
    };
    read.map_err(|e| rejection(&e))
}

fn rejection(error: &EventError) -> Rejection {
    Rejection::new(error.kind(), error.to_string())
}

/// The inventory-service's decisions, for the runtime.
#[derive(Debug, Clone)]
pub struct Inventory {
    store: InventoryStore,
    topics: Topics,
    publish: InventoryTopics,
}

impl Inventory {
    pub fn new(store: InventoryStore, topics: Topics) -> Self {
        Self {
            publish: InventoryTopics {
                reserved: topics.of(EventKind::InventoryReserved).to_owned(),
                rejected: topics.of(EventKind::InventoryRejected).to_owned(),
                released: topics.of(EventKind::InventoryReleased).to_owned(),
            },
            store,
            topics,
        }
    }
}

#[async_trait]
impl Handler for Inventory {
    type Input = InventoryEvent;

    fn counters(&self) -> &'static [Counter] {
        &COUNTERS
    }

    fn decide(&self, record: &ReceivedRecord) -> Result<InventoryEvent, Rejection> {
        decide(record, self.topics.kind_of(&record.topic))
    }

    async fn apply(&self, batch: &[Item<InventoryEvent>]) -> Result<Applied, StoreError> {
        let events: Vec<InventoryEvent> = batch.iter().map(|i| i.input.clone()).collect();
        let sources: Vec<_> = batch.iter().map(|i| i.source.clone()).collect();
        let traces: Vec<_> = batch.iter().map(|i| i.trace.clone()).collect();
        let done = self
            .store
            .apply(&events, &sources, &traces, &self.publish)
            .await?;
        let mut applied = Applied::default();
        applied.count("reserved", done.reserved as u64);
        applied.count("outOfStock", done.rejected as u64);
        applied.count("committed", done.committed as u64);
        applied.count("released", done.released as u64);
        applied.count("held", done.held as u64);
        applied.count("duplicates", done.duplicates as u64);
        applied.count("conflicts", done.conflicts.len() as u64);
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
            operation: "RESERVE",
            collection: "stock",
        }
    }

    fn outbox(&self) -> Option<OutboxSpec> {
        Some(OutboxSpec {
            outbox: Arc::new(self.store.outbox()),
            topics: vec![
                self.publish.reserved.clone(),
                self.publish.rejected.clone(),
                self.publish.released.clone(),
            ],
        })
    }
}

/// `GET /stock`, `PUT /stock` (`{"SKU-1": 100, …}`: the units available of each),
/// `GET /reservations/{correlationId}` (or `?correlationId=`, for any id).
fn routes(store: InventoryStore) -> Router {
    Router::new()
        .route("/stock", get(stock).put(set_stock))
        .route("/reservations", get(reservation_by_query))
        .route("/reservations/{correlation_id}", get(reservation))
        .with_state(store)
}

async fn stock(State(store): State<InventoryStore>) -> Result<Json<StockList>, ApiError> {
    let stock = store.stock().await.map_err(orders_runtime::store_error)?;
    Ok(Json(StockList { stock }))
}

#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct SetStock(BTreeMap<String, u64>);

async fn set_stock(
    State(store): State<InventoryStore>,
    body: Result<Json<SetStock>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<StockList>, ApiError> {
    let Json(SetStock(levels)) = body.map_err(|e| {
        ApiError::bad_request(
            format!(
                "the body must be a JSON object of SKU to units available: {}",
                e.body_text()
            ),
            Vec::new(),
        )
    })?;
    let mut violations = Vec::new();
    for (sku, units) in &levels {
        let item = serde_json::json!({"sku": sku, "quantity": 1});
        if let Err(e) = serde_json::from_value::<orders_core::OrderItem>(item) {
            violations.push(orders_core::Violation::new(
                format!("/{sku}"),
                e.to_string(),
            ));
        }
        if *units > orders_core::validation::MAX_SAFE_INTEGER {
            violations.push(orders_core::Violation::new(
                format!("/{sku}"),
                "must be at most 9007199254740991",
            ));
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::bad_request("the stock is invalid", violations));
    }
    let levels: Vec<(String, u64)> = levels.into_iter().collect();
    store
        .set_stock(&levels)
        .await
        .map_err(orders_runtime::store_error)?;
    tracing::info!(skus = levels.len(), "stock set");
    stock(State(store)).await
}

async fn reservation_by_query(
    State(store): State<InventoryStore>,
    query: Result<Query<OrderQuery>, QueryRejection>,
) -> Result<Json<Reservation>, ApiError> {
    reservation(State(store), Path(OrderQuery::id(query)?)).await
}

async fn reservation(
    State(store): State<InventoryStore>,
    Path(id): Path<String>,
) -> Result<Json<Reservation>, ApiError> {
    match store
        .reservation(&id)
        .await
        .map_err(orders_runtime::store_error)?
    {
        Some(reservation) => Ok(Json(reservation)),
        None => Err(ApiError::not_found(format!(
            "no reservation for order {id}"
        ))),
    }
}

/// Consumes and serves the admin port until `shutdown` completes.
pub async fn run(
    kafka: &KafkaConfig,
    store: InventoryStore,
    topics: Topics,
    config: ServiceConfig,
    admin_listener: impl Into<orders_http::HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    orders_runtime::run(
        kafka,
        config,
        Arc::new(Inventory::new(store.clone(), topics)),
        routes(store),
        admin_listener,
        shutdown,
    )
    .await
}
