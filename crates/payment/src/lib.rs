//! The payment-service: charges each reserved order's total once, and says whether it was
//! paid.
//!
//! It consumes `inventory_reserved` in `payment-service-group` and publishes
//! `payment_completed` (with the provider's payment id) or `payment_failed` (with why).
//! Charges go through the [`PaymentProvider`] port; [`SimulatedProvider`] ships, deciding
//! by a pure function of the order so that a redelivered order cannot change its answer.
//! An order is charged at most once: one already recorded is not charged again, and a
//! charge repeated after a crash (made, not yet recorded) carries the order's correlation
//! id as its idempotency key, which a real provider answers with the first outcome.

use async_trait::async_trait;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use orders_core::api::Payment;
use orders_core::saga::payment::{
    Charge, ChargeOutcome, PaymentProvider, ProviderUnavailable, SimulatedPolicy,
};
use orders_core::saga::{EventKind, InventoryReserved, SagaEvent};
use orders_core::{EventError, StoreError};
use orders_http::ApiError;
use orders_kafka::{Consumer, KafkaConfig, ReceivedRecord, Topics};
use orders_runtime::{
    Applied, Counter, Handler, Item, OrderQuery, OutboxSpec, Rejection, ServiceConfig, StoreSpan,
};
use orders_store::payments::{NewPayment, PaymentStore, PaymentTopics};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use orders_runtime::Error;

const NAME: &str = "payment-service";

/// Charges made at once by one batch, at most: a provider is called concurrently, not
/// one charge after another.
const CONCURRENT_CHARGES: usize = 256;

static COUNTERS: [Counter; 3] = [
    Counter {
        stat: "completed",
        metric: "orders_payments_completed_total",
    },
    Counter {
        stat: "failed",
        metric: "orders_payments_failed_total",
    },
    Counter {
        stat: "duplicates",
        metric: "orders_events_duplicate_total",
    },
];

/// The simulated provider: [`SimulatedPolicy`]'s decisions, each after `latency`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SimulatedProvider {
    pub policy: SimulatedPolicy,
    pub latency: Duration,
}

#[async_trait]
impl PaymentProvider for SimulatedProvider {
    async fn charge(&self, charge: &Charge) -> Result<ChargeOutcome, ProviderUnavailable> {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        Ok(self.policy.decide(charge))
    }
}

/// The runtime configuration of the payment-service for these topics and group.
pub fn config(topics: &Topics, group: impl Into<String>) -> ServiceConfig {
    let mut config = ServiceConfig::new(NAME, topics.consumed_by(Consumer::Payment), group);
    config.dead_letter_topic = Some(topics.dead_letters(Consumer::Payment).to_owned());
    config
}

/// Reads one `inventory_reserved` record.
pub fn decide(record: &ReceivedRecord) -> Result<InventoryReserved, Rejection> {
    if let Some(problem) = &record.header_error {
        return Err(Rejection::new("bad_headers", problem.clone()));
    }
    let Some(value) = record.value.as_deref() else {
        let error = EventError::NotJson("the record has no value".into());
        return Err(Rejection::new(error.kind(), error.to_string()));
    };
    InventoryReserved::from_json(value).map_err(|e| Rejection::new(e.kind(), e.to_string()))
}

/// Charges one order: the payment to record.
async fn charge_once(
    provider: Arc<dyn PaymentProvider>,
    charge: Charge,
    source: orders_core::EventPosition,
    trace: Vec<(String, Vec<u8>)>,
) -> Result<NewPayment, ProviderUnavailable> {
    let outcome = provider.charge(&charge).await?;
    Ok(NewPayment {
        correlation_id: charge.correlation_id,
        customer_id: charge.customer_id,
        amount: charge.amount,
        outcome,
        source,
        trace,
    })
}

/// A provider error that may pass: the batch is retried, nothing is recorded.
fn unavailable(error: ProviderUnavailable) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

/// The payment-service's decisions, for the runtime.
#[derive(Debug, Clone)]
pub struct Payments {
    store: PaymentStore,
    provider: Arc<dyn PaymentProvider>,
    topics: Topics,
    publish: PaymentTopics,
}

impl Payments {
    pub fn new(store: PaymentStore, provider: Arc<dyn PaymentProvider>, topics: Topics) -> Self {
        Self {
            publish: PaymentTopics {
                completed: topics.of(EventKind::PaymentCompleted).to_owned(),
                failed: topics.of(EventKind::PaymentFailed).to_owned(),
            },
            store,
            provider,
            topics,
        }
    }
}

#[async_trait]
impl Handler for Payments {
    type Input = InventoryReserved;

    fn counters(&self) -> &'static [Counter] {
        &COUNTERS
    }

    fn decide(&self, record: &ReceivedRecord) -> Result<InventoryReserved, Rejection> {
        match self.topics.kind_of(&record.topic) {
            Some(EventKind::InventoryReserved) => decide(record),
            _ => Err(Rejection::new(
                "unexpected_topic",
                format!(
                    "the payment-service does not handle records of {}",
                    record.topic
                ),
            )),
        }
    }

    async fn apply(&self, batch: &[Item<InventoryReserved>]) -> Result<Applied, StoreError> {
        let ids: Vec<&str> = batch
            .iter()
            .map(|i| i.input.correlation_id.as_str())
            .collect();
        let paid = self.store.paid(&ids).await?;
        let mut seen = std::collections::BTreeSet::new();
        let to_charge: Vec<&Item<InventoryReserved>> = batch
            .iter()
            .filter(|i| {
                let id = i.input.correlation_id.as_str();
                !paid.contains(id) && seen.insert(id)
            })
            .collect();
        let charges: Vec<_> = to_charge
            .iter()
            .map(|item| {
                let charge = Charge {
                    correlation_id: item.input.correlation_id.clone(),
                    customer_id: item.input.customer_id,
                    amount: item.input.total_amount,
                };
                charge_once(
                    self.provider.clone(),
                    charge,
                    item.source.clone(),
                    item.trace.clone(),
                )
            })
            .collect();
        use futures::StreamExt;
        let payments: Vec<NewPayment> = futures::stream::iter(charges)
            .buffered(CONCURRENT_CHARGES)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(unavailable)?;
        let recorded = self.store.record(&payments, &self.publish).await?;
        let mut applied = Applied::default();
        applied.count("completed", recorded.completed as u64);
        applied.count("failed", recorded.failed as u64);
        applied.count(
            "duplicates",
            (recorded.duplicates + batch.len() - to_charge.len()) as u64,
        );
        Ok(applied)
    }

    async fn ready(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    fn store_span(&self) -> StoreSpan {
        StoreSpan {
            system: self.store.system(),
            operation: "INSERT",
            collection: "payments",
        }
    }

    fn outbox(&self) -> Option<OutboxSpec> {
        Some(OutboxSpec {
            outbox: Arc::new(self.store.outbox()),
            topics: vec![self.publish.completed.clone(), self.publish.failed.clone()],
        })
    }
}

/// `GET /payments/{correlationId}` (or `?correlationId=`, for any id).
fn routes(store: PaymentStore) -> Router {
    Router::new()
        .route("/payments", get(payment_by_query))
        .route("/payments/{correlation_id}", get(payment))
        .with_state(store)
}

async fn payment_by_query(
    State(store): State<PaymentStore>,
    query: Result<Query<OrderQuery>, QueryRejection>,
) -> Result<Json<Payment>, ApiError> {
    payment(State(store), Path(OrderQuery::id(query)?)).await
}

async fn payment(
    State(store): State<PaymentStore>,
    Path(id): Path<String>,
) -> Result<Json<Payment>, ApiError> {
    match store
        .payment(&id)
        .await
        .map_err(orders_runtime::store_error)?
    {
        Some(payment) => Ok(Json(payment)),
        None => Err(ApiError::not_found(format!("no payment for order {id}"))),
    }
}

/// Consumes and serves the admin port until `shutdown` completes.
pub async fn run(
    kafka: &KafkaConfig,
    store: PaymentStore,
    provider: Arc<dyn PaymentProvider>,
    topics: Topics,
    config: ServiceConfig,
    admin_listener: impl Into<orders_http::HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    orders_runtime::run(
        kafka,
        config,
        Arc::new(Payments::new(store.clone(), provider, topics)),
        routes(store),
        admin_listener,
        shutdown,
    )
    .await
}
