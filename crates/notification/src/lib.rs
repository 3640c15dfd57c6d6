//! The notification-service: tells the customer how each order ended, once per channel,
//! and keeps a record of every notification and of why one did not go out.
//!
//! It consumes `order_confirmed` and `order_rejected` in `notification-service-group`. On
//! the runtime its consumer is what it decides for a record ([`decide`]) and how a batch
//! is applied: one notification per order, outcome and channel recorded in its own store
//! (pending, or skipped with the reason: no email address, not opted in to the webhook),
//! idempotent by that key. Sending is not the consumer's: the [`delivery`] worker, run
//! beside the runtime by [`run`], claims what is due and sends it over the configured
//! [`channel`]s (webhook, email, log) with bounded concurrency, per-attempt timeouts,
//! capped exponential backoff with jitter and `Retry-After`; past its budget a
//! notification is failed and its dead letter goes to `notification-dlt`. A receiver
//! that is slow or down therefore never holds the consumer group.
//!
//! Its admin port adds `GET /notifications?correlationId=&state=&limit=` and the
//! customer directory: `GET /customers`, `GET|PUT /customers/{customerId}`.

pub mod channel;
pub mod delivery;
pub mod message;

pub use channel::email::{Email, EmailConfig};
pub use channel::webhook::{Webhook, WebhookConfig};
pub use channel::{Channel, ConfigError};
pub use delivery::DeliverySettings;

use async_trait::async_trait;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use futures::FutureExt;
use message::Outcome;
use orders_core::api::{
    Customer, CustomerList, NotificationChannel, NotificationList, NotificationState, SetCustomer,
};
use orders_core::saga::{OrderConfirmed, OrderRejected, SagaEvent};
use orders_core::{EventError, StoreError, Violation};
use orders_http::ApiError;
use orders_kafka::dead_letter::REPLAYED_FROM;
use orders_kafka::topics::EVENT_ID_HEADER;
use orders_kafka::{Consumer, KafkaConfig, ReceivedRecord, Topics};
use orders_runtime::{
    Applied, Counter, Handler, Item, OutboxSpec, Rejection, ServiceConfig, StoreSpan,
};
use orders_store::notifications::{NewNotification, NotificationStore, Rearm, SourceRecord};
use serde::Deserialize;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Notify;

const NAME: &str = "notification-service";

/// The most notifications `GET /notifications` answers at once.
pub const MAX_LIST: u32 = 10_000;

static COUNTERS: [Counter; 4] = [
    Counter {
        stat: "recorded",
        metric: "orders_notifications_recorded_total",
    },
    Counter {
        stat: "skipped",
        metric: "orders_notifications_skipped_total",
    },
    Counter {
        stat: "duplicates",
        metric: "orders_events_duplicate_total",
    },
    Counter {
        stat: "rearmed",
        metric: "orders_notifications_rearmed_total",
    },
];

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Runtime(#[from] orders_runtime::Error),
    #[error(transparent)]
    Channel(#[from] ConfigError),
}

/// The runtime configuration of the notification-service for these topics and group.
pub fn config(topics: &Topics, group: impl Into<String>) -> ServiceConfig {
    let mut config = ServiceConfig::new(NAME, topics.consumed_by(Consumer::Notification), group);
    config.dead_letter_topic = Some(topics.dead_letters(Consumer::Notification).to_owned());
    config
}

/// The channels to deliver on; plain data, filled by the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelConfig {
    pub webhook: Option<WebhookConfig>,
    pub email: Option<EmailConfig>,
    /// The log channel. The CLI turns it on when no other channel is configured.
    pub log: bool,
    /// Webhooks only for customers the directory says opted in (else for every order).
    pub webhook_opt_in: bool,
}

impl ChannelConfig {
    /// The configured channels, ready to send (each request bounded by `timeout`), and
    /// the rules that decide which notifications an event gets.
    pub fn build(
        &self,
        timeout: std::time::Duration,
    ) -> Result<(delivery::Channels, Plan), ConfigError> {
        let mut channels: delivery::Channels = Default::default();
        let mut plan = Plan {
            webhook: None,
            email: false,
            log: self.log,
            webhook_opt_in: self.webhook_opt_in,
        };
        if let Some(config) = &self.webhook {
            let webhook = Webhook::new(config, timeout)?;
            plan.webhook = Some(webhook.shown_url());
            channels.insert(NotificationChannel::Webhook, Arc::new(webhook));
        }
        if let Some(config) = &self.email {
            channels.insert(
                NotificationChannel::Email,
                Arc::new(Email::new(config, timeout)?),
            );
            plan.email = true;
        }
        if self.log {
            channels.insert(NotificationChannel::Log, Arc::new(channel::log::Log));
        }
        Ok((channels, plan))
    }
}

/// Which notifications an order's outcome gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The webhook's URL as records show it, when there is a webhook.
    pub webhook: Option<String>,
    pub email: bool,
    pub log: bool,
    pub webhook_opt_in: bool,
}

/// An order's final state, read from its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalEvent {
    pub outcome: Outcome,
    pub correlation_id: String,
    pub customer_id: String,
    /// The event's value, byte for byte: what the notification will say.
    pub value: Vec<u8>,
    pub event_id: Option<String>,
    pub source: SourceRecord,
    /// Set when the record is a replayed dead letter: its failed notifications (of the
    /// named channel, or all) are sent again.
    pub replay: Option<Option<NotificationChannel>>,
}

/// Reads one `order_confirmed` or `order_rejected` record.
pub fn decide(record: &ReceivedRecord, outcome: Option<Outcome>) -> Result<FinalEvent, Rejection> {
    if let Some(problem) = &record.header_error {
        return Err(Rejection::new("bad_headers", problem.clone()));
    }
    let Some(outcome) = outcome else {
        return Err(Rejection::new(
            "unexpected_topic",
            format!(
                "the notification-service does not handle records of {}",
                record.topic
            ),
        ));
    };
    let Some(value) = record.value.as_deref() else {
        return Err(rejection(&EventError::NotJson(
            "the record has no value".into(),
        )));
    };
    let (correlation_id, customer_id) = match outcome {
        Outcome::Confirmed => OrderConfirmed::from_json(value)
            .map(|e| (e.correlation_id, e.customer_id))
            .map_err(|e| rejection(&e))?,
        Outcome::Rejected => OrderRejected::from_json(value)
            .map(|e| (e.correlation_id, e.customer_id))
            .map_err(|e| rejection(&e))?,
    };
    let text = |key: &str| {
        record
            .header(key)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    let replay = text(REPLAYED_FROM).map(|_| {
        text(delivery::NOTIFICATION_CHANNEL_HEADER)
            .as_deref()
            .and_then(NotificationChannel::parse)
    });
    Ok(FinalEvent {
        outcome,
        correlation_id: correlation_id.as_str().to_owned(),
        customer_id: customer_id.hyphenated().to_string(),
        value: value.to_vec(),
        event_id: text(EVENT_ID_HEADER),
        source: SourceRecord {
            topic: record.topic.clone(),
            partition: record.partition,
            offset: record.offset,
            timestamp_ms: record.timestamp_ms,
            key: record.key.clone(),
            headers: record.headers.clone(),
        },
        replay,
    })
}

fn rejection(error: &EventError) -> Rejection {
    Rejection::new(error.kind(), error.to_string())
}

/// The notifications `event` gets under `plan`, for a customer the directory has as
/// `customer`: one per configured channel, pending or skipped with the reason.
pub fn plan(event: &FinalEvent, customer: Option<&Customer>, plan: &Plan) -> Vec<NewNotification> {
    let notification =
        |channel: NotificationChannel, recipient: Option<String>, skipped: Option<String>| {
            NewNotification {
                id: uuid::Uuid::new_v4(),
                correlation_id: event.correlation_id.clone(),
                outcome: event.outcome.as_str(),
                channel,
                customer_id: event.customer_id.clone(),
                recipient,
                skipped,
                event: event.value.clone(),
                event_id: event.event_id.clone(),
                source: event.source.clone(),
            }
        };
    let mut planned = Vec::new();
    if let Some(url) = &plan.webhook {
        let opted_in = customer.is_some_and(|c| c.webhook);
        let skipped = (plan.webhook_opt_in && !opted_in).then(|| {
            format!(
                "not_opted_in: customer {} has not opted in to the webhook (`orders customers \
                 set {} --webhook` opts in)",
                event.customer_id, event.customer_id
            )
        });
        planned.push(notification(
            NotificationChannel::Webhook,
            Some(url.clone()),
            skipped,
        ));
    }
    if plan.email {
        let address = customer.and_then(|c| c.email.clone());
        let skipped = address.is_none().then(|| {
            format!(
                "no_email_address: the directory has no email address for customer {} \
                 (`orders customers set {} --email ADDRESS` adds one)",
                event.customer_id, event.customer_id
            )
        });
        planned.push(notification(NotificationChannel::Email, address, skipped));
    }
    if plan.log {
        planned.push(notification(NotificationChannel::Log, None, None));
    }
    planned
}

/// The consumer side of the notification-service, for the runtime.
#[derive(Debug, Clone)]
pub struct Notifications {
    store: NotificationStore,
    topics: Topics,
    plan: Plan,
    /// Wakes the delivery worker after a batch recorded something to send.
    wake: Arc<Notify>,
    outbox_topics: Vec<String>,
}

#[async_trait]
impl Handler for Notifications {
    type Input = FinalEvent;

    fn counters(&self) -> &'static [Counter] {
        &COUNTERS
    }

    fn decide(&self, record: &ReceivedRecord) -> Result<FinalEvent, Rejection> {
        let outcome = self.topics.kind_of(&record.topic).and_then(Outcome::of);
        decide(record, outcome)
    }

    async fn apply(&self, batch: &[Item<FinalEvent>]) -> Result<Applied, StoreError> {
        let ids: Vec<&str> = batch.iter().map(|i| i.input.customer_id.as_str()).collect();
        let directory: HashMap<String, Customer> = self.store.customers_of(&ids).await?;
        let mut new = Vec::new();
        let mut rearm = Vec::new();
        for item in batch {
            let event = &item.input;
            new.extend(plan(event, directory.get(&event.customer_id), &self.plan));
            if let Some(channel) = event.replay {
                rearm.push(Rearm {
                    correlation_id: event.correlation_id.clone(),
                    outcome: event.outcome.as_str(),
                    channel,
                });
            }
        }
        let recorded = self.store.record(&new, &rearm).await?;
        if recorded.pending + recorded.rearmed > 0 {
            self.wake.notify_one();
        }
        let mut applied = Applied::default();
        applied.count("recorded", recorded.pending as u64);
        applied.count("skipped", recorded.skipped as u64);
        applied.count("duplicates", recorded.duplicates as u64);
        applied.count("rearmed", recorded.rearmed as u64);
        Ok(applied)
    }

    async fn ready(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    fn store_span(&self) -> StoreSpan {
        StoreSpan {
            system: self.store.system(),
            operation: "INSERT",
            collection: "notifications",
        }
    }

    fn outbox(&self) -> Option<OutboxSpec> {
        (!self.outbox_topics.is_empty()).then(|| OutboxSpec {
            outbox: Arc::new(self.store.outbox()),
            topics: self.outbox_topics.clone(),
        })
    }
}

/// `GET /notifications`, `GET /customers`, `GET|PUT /customers/{customerId}`.
fn routes(store: NotificationStore) -> Router {
    Router::new()
        .route("/notifications", get(notifications))
        .route("/customers", get(customers))
        .route("/customers/{customer_id}", get(customer).put(set_customer))
        .with_state(store)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListQuery {
    correlation_id: Option<String>,
    state: Option<String>,
    limit: Option<u32>,
}

async fn notifications(
    State(store): State<NotificationStore>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<NotificationList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text(), Vec::new()))?;
    let state = match query.state.as_deref() {
        None | Some("") => None,
        Some(text) => Some(NotificationState::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "state must be one of pending, sent, failed, skipped",
                vec![Violation::new("/state", format!("unknown state `{text}`"))],
            )
        })?),
    };
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_LIST);
    let correlation_id = query.correlation_id.as_deref().filter(|id| !id.is_empty());
    let notifications = store
        .list(correlation_id, state, limit)
        .await
        .map_err(orders_runtime::store_error)?;
    let counts = store
        .counts(correlation_id)
        .await
        .map_err(orders_runtime::store_error)?;
    Ok(Json(NotificationList {
        notifications,
        counts,
    }))
}

async fn customers(State(store): State<NotificationStore>) -> Result<Json<CustomerList>, ApiError> {
    let customers = store
        .customers()
        .await
        .map_err(orders_runtime::store_error)?;
    Ok(Json(CustomerList { customers }))
}

/// A customer id as the contract has it: a UUID, written hyphenated in lower case.
fn customer_id(text: &str) -> Result<String, ApiError> {
    uuid::Uuid::try_parse(text)
        .map(|id| id.hyphenated().to_string())
        .map_err(|e| {
            ApiError::bad_request(
                "the customer id must be a UUID, as orders carry it",
                vec![Violation::new("/customerId", e.to_string())],
            )
        })
}

async fn customer(
    State(store): State<NotificationStore>,
    Path(id): Path<String>,
) -> Result<Json<Customer>, ApiError> {
    let id = customer_id(&id)?;
    let mut found = store
        .customers_of(&[id.as_str()])
        .await
        .map_err(orders_runtime::store_error)?;
    found
        .remove(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("customer {id} is not in the directory")))
}

async fn set_customer(
    State(store): State<NotificationStore>,
    Path(id): Path<String>,
    body: Result<Json<SetCustomer>, JsonRejection>,
) -> Result<Json<Customer>, ApiError> {
    let id = customer_id(&id)?;
    let Json(mut entry) = body.map_err(|e| {
        ApiError::bad_request(
            format!(
                "the body must be {{\"email\": ADDRESS or null, \"webhook\": true|false}}: {}",
                e.body_text()
            ),
            Vec::new(),
        )
    })?;
    entry.email = entry
        .email
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    if let Some(email) = &entry.email
        && let Err(reason) = channel::email::valid_address(email)
    {
        return Err(ApiError::bad_request(
            "the customer entry is invalid",
            vec![Violation::new("/email", reason)],
        ));
    }
    let customer = store
        .set_customer(&id, &entry)
        .await
        .map_err(orders_runtime::store_error)?;
    tracing::info!(customer_id = %id, email = entry.email.is_some(), webhook = entry.webhook, "customer set");
    Ok(Json(customer))
}

/// Consumes, delivers and serves the admin port until `shutdown` completes.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    kafka: &KafkaConfig,
    store: NotificationStore,
    topics: Topics,
    channels: &ChannelConfig,
    settings: DeliverySettings,
    config: ServiceConfig,
    admin_listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let (channels, plan) = channels.build(settings.attempt_timeout)?;
    let wake = Arc::new(Notify::new());
    let dead_letters = config
        .dead_letter_topic
        .clone()
        .map(|topic| (topic, config.group.group_id.clone()));
    let handler = Notifications {
        store: store.clone(),
        topics,
        plan,
        wake: wake.clone(),
        outbox_topics: dead_letters.iter().map(|(t, _)| t.clone()).collect(),
    };
    let worker = delivery::Worker {
        context: Arc::new(delivery::Context {
            store: store.clone(),
            channels,
            settings,
            dead_letters,
            owner: format!("{NAME}-{}", uuid::Uuid::new_v4()),
        }),
        wake,
    };
    let shutdown = shutdown.shared();
    let (served, ()) = tokio::join!(
        orders_runtime::run(
            kafka,
            config,
            Arc::new(handler),
            routes(store),
            admin_listener,
            shutdown.clone(),
        ),
        worker.run(shutdown),
    );
    served?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn confirmed() -> ReceivedRecord {
        ReceivedRecord {
            topic: "order_confirmed".into(),
            partition: 1,
            offset: 7,
            value: Some(
                json!({"correlationId": "c-1", "customerId": "06F3BBF9-24AD-4D18-9D0D-7FAD5B5F5CBF",
                       "items": [{"sku": "SKU-1", "quantity": 2}], "totalAmount": 150,
                       "paymentId": "pay_1", "confirmedAt": "2025-12-05T21:15:00.000Z"})
                .to_string()
                .into_bytes(),
            ),
            headers: vec![(EVENT_ID_HEADER.into(), b"e-1".to_vec())],
            ..ReceivedRecord::default()
        }
    }

    fn every_channel() -> Plan {
        Plan {
            webhook: Some("https://hooks.example.com/orders".into()),
            email: true,
            log: true,
            webhook_opt_in: false,
        }
    }

    #[test]
    fn a_final_event_is_read_with_its_id_and_a_normalised_customer() {
        let event = decide(&confirmed(), Some(Outcome::Confirmed)).unwrap();
        assert_eq!(event.correlation_id, "c-1");
        assert_eq!(event.customer_id, "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf");
        assert_eq!(event.event_id.as_deref(), Some("e-1"));
        assert_eq!(event.replay, None);
        let wrong = decide(&confirmed(), Some(Outcome::Rejected)).unwrap_err();
        assert_eq!(wrong.kind, "contract_violation");
        assert_eq!(
            decide(&confirmed(), None).unwrap_err().kind,
            "unexpected_topic"
        );
    }

    #[test]
    fn a_replayed_dead_letter_names_the_channel_to_send_again() {
        let mut record = confirmed();
        record
            .headers
            .push((REPLAYED_FROM.into(), b"notification-dlt/0@3".to_vec()));
        record.headers.push((
            delivery::NOTIFICATION_CHANNEL_HEADER.into(),
            b"webhook".to_vec(),
        ));
        let event = decide(&record, Some(Outcome::Confirmed)).unwrap();
        assert_eq!(event.replay, Some(Some(NotificationChannel::Webhook)));
    }

    #[test]
    fn a_customer_without_an_address_gets_no_email_and_the_reason_is_recorded() {
        let event = decide(&confirmed(), Some(Outcome::Confirmed)).unwrap();
        let planned = plan(&event, None, &every_channel());
        let by_channel: HashMap<_, _> = planned.iter().map(|n| (n.channel, n)).collect();
        assert_eq!(by_channel.len(), 3);
        assert_eq!(by_channel[&NotificationChannel::Webhook].skipped, None);
        assert!(
            by_channel[&NotificationChannel::Email]
                .skipped
                .as_deref()
                .is_some_and(|r| r.starts_with("no_email_address:")),
        );
        assert_eq!(by_channel[&NotificationChannel::Log].skipped, None);

        let customer = Customer {
            customer_id: event.customer_id.clone(),
            email: Some("a@example.com".into()),
            webhook: false,
            updated_at: chrono::Utc::now(),
        };
        let opt_in = Plan {
            webhook_opt_in: true,
            ..every_channel()
        };
        let planned = plan(&event, Some(&customer), &opt_in);
        let by_channel: HashMap<_, _> = planned.iter().map(|n| (n.channel, n)).collect();
        assert!(
            by_channel[&NotificationChannel::Webhook]
                .skipped
                .as_deref()
                .is_some_and(|r| r.starts_with("not_opted_in:"))
        );
        assert_eq!(
            by_channel[&NotificationChannel::Email].recipient.as_deref(),
            Some("a@example.com")
        );
    }
}
