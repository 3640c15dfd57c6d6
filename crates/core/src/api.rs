//! The JSON bodies of the services' HTTP APIs: what the gateway answers, what the
//! order-service's admin port takes and answers, and the error body both send.
//!
//! Each type is written by a server and read by a client (`orders submit`, `trace`,
//! `bench`), from this one definition, so a renamed field is renamed for both or does not
//! compile. The OpenAPI schemas of the gateway's document are derived from the same types
//! (the `openapi` feature).

use crate::event::OrderCreated;
use crate::order::{CorrelationId, Order};
use crate::validation::Violation;
use serde::{Deserialize, Serialize};

/// The gateway's 202 answer to `POST /orders`: the exact event that was published and
/// where it landed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    /// The order's id: the `x-correlation-id` the client sent, or a new UUID v4.
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 128, pattern = "^[!-~]{1,128}$"))]
    pub correlation_id: CorrelationId,
    /// The event as it was published (the record value, byte for byte).
    pub event: OrderCreated,
    /// The partition of `order_created` that holds the event.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub partition: i32,
    /// Its offset in that partition.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub offset: i64,
}

/// Every answer of either service that is not a success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong, in one sentence.
    pub error: String,
    /// Each offending field, by its JSON Pointer (empty when the fault is not a field's).
    #[serde(default)]
    pub details: Vec<Violation>,
    /// The correlation id to retry with (on 503 from `POST /orders`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            value_type = String,
            required = false,
            min_length = 1,
            max_length = 128,
            pattern = "^[!-~]{1,128}$"
        )
    )]
    pub correlation_id: Option<String>,
}

/// The body of a successful probe (`/healthz`, `/readyz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProbeStatus {
    pub status: Probe,
}

/// What a probe says: `ok` (alive, `/healthz`) or `ready` (`/readyz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    Ok,
    Ready,
}

impl ProbeStatus {
    pub const OK: Self = Self { status: Probe::Ok };
    pub const READY: Self = Self {
        status: Probe::Ready,
    };
}

/// Orders, as the order-service's `GET /orders` and its lookup answer them. A client that
/// reads the rows loosely (the benchmark counts rows per id, to catch duplicates) may read
/// them as other than [`Order`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderList<T = Order> {
    pub orders: Vec<T>,
}

/// The order-service's lookup: every stored row for these ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LookupRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub correlation_ids: Vec<CorrelationId>,
}

/// A consuming service's counters, as its `GET /stats` answers them: the runtime's own
/// (every service has them), then the service's (the order-service's `created`,
/// `duplicates`, `confirmed`, …), then the failure being retried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Records read from the topics.
    pub received: u64,
    /// Records set aside (dead-lettered when a dead-letter topic is set).
    pub rejected: u64,
    /// Attempts that failed and were retried (database or broker unavailable).
    pub retries: u64,
    /// The service's own counters, by name.
    #[serde(flatten)]
    pub counts: std::collections::BTreeMap<String, u64>,
    /// The failure being retried right now, if any.
    pub failing: Option<String>,
}

impl Stats {
    /// One of the service's own counters (0 when it has none by that name).
    pub fn count(&self, name: &str) -> u64 {
        self.counts.get(name).copied().unwrap_or(0)
    }
}

/// One SKU's stock, as the inventory-service's `GET /stock` and `orders stock` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockLevel {
    pub sku: String,
    /// Units that can be reserved now.
    pub available: u64,
    /// Units held by reservations waiting for their payment.
    pub reserved: u64,
    /// Units of paid orders.
    pub sold: u64,
}

/// The inventory-service's stock, SKU by SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockList {
    pub stock: Vec<StockLevel>,
}

/// A reservation's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReservationStatus {
    /// The units are held for the order, waiting for its payment.
    Reserved,
    /// Paid: the units are sold.
    Committed,
    /// The payment failed: the units went back.
    Released,
    /// Not enough stock (or an unknown SKU): nothing was ever held.
    Rejected,
}

impl ReservationStatus {
    pub const ALL: [Self; 4] = [
        Self::Reserved,
        Self::Committed,
        Self::Released,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Committed => "committed",
            Self::Released => "released",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// One order's reservation, as the inventory-service's `GET /reservations/{id}` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    pub correlation_id: String,
    pub status: ReservationStatus,
    /// Units per SKU (empty for a rejected order).
    pub items: std::collections::BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the inventory decided the order (reserved it or refused it).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When its status last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One order's payment, as the payment-service's `GET /payments/{id}` answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub correlation_id: String,
    /// `completed` or `failed`.
    pub status: String,
    pub amount: f64,
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// How a notification reaches a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationChannel {
    /// A signed `POST` to the operator's endpoint.
    Webhook,
    /// A plain text and HTML message to the customer's address.
    Email,
    /// A line in the service's log.
    Log,
}

impl NotificationChannel {
    pub const ALL: [Self; 3] = [Self::Webhook, Self::Email, Self::Log];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Email => "email",
            Self::Log => "log",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for NotificationChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationState {
    /// Waiting to be sent, or to be tried again.
    Pending,
    /// The channel took it.
    Sent,
    /// Refused for good, or past the retry budget: dead-lettered.
    Failed,
    /// Never to be sent (no address, not opted in): `reason` says why.
    Skipped,
}

impl NotificationState {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Sent, Self::Failed, Self::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

impl std::fmt::Display for NotificationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One notification, as the notification-service's `GET /notifications` answers it: one
/// per order, outcome and channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The Idempotency-Key of its webhook calls and the Message-ID of its email: the same
    /// on every attempt.
    pub id: String,
    pub correlation_id: String,
    /// `confirmed` or `rejected`: the order's final state it tells.
    pub outcome: String,
    pub channel: NotificationChannel,
    pub customer_id: String,
    /// The address or URL it goes to, when the channel has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    pub state: NotificationState,
    /// Attempts started (an attempt cut short by a crash counts).
    pub attempts: u32,
    /// Times `orders dlq replay` sent a failed one round again.
    #[serde(default)]
    pub replays: u32,
    /// Why it was skipped or failed, as a short stable code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the channel said the last time an attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// When the next attempt is due (pending only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The notification-service's `GET /notifications`: the newest first, and how many of
/// the same filter (without `state` and `limit`) are in each state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationList {
    pub notifications: Vec<Notification>,
    #[serde(default)]
    pub counts: std::collections::BTreeMap<String, u64>,
}

/// One entry of the notification-service's customer directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Opted in to the webhook (what `--webhook-opt-in` asks for).
    #[serde(default)]
    pub webhook: bool,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The body of `PUT /customers/{customerId}`: the whole entry (an absent email removes
/// the address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetCustomer {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub webhook: bool,
}

/// The notification-service's customer directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerList {
    pub customers: Vec<Customer>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_accepted_answer_reads_back_with_a_valid_event() {
        let text = r#"{"correlationId":"c-1","event":{"correlationId":"c-1","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"},"partition":4,"offset":0}"#;
        let accepted: Accepted = serde_json::from_str(text).unwrap();
        assert_eq!(accepted.correlation_id.as_str(), "c-1");
        assert_eq!(serde_json::to_string(&accepted).unwrap(), text);

        let mut broken: serde_json::Value = serde_json::from_str(text).unwrap();
        broken["event"]["items"] = json!([]);
        assert!(serde_json::from_value::<Accepted>(broken).is_err());
    }

    #[test]
    fn an_error_body_without_details_or_id_reads_as_empty() {
        let body: ErrorBody = serde_json::from_str(r#"{"error":"down"}"#).unwrap();
        assert_eq!(
            body,
            ErrorBody {
                error: "down".into(),
                details: Vec::new(),
                correlation_id: None,
            }
        );
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"error": "down", "details": []})
        );
    }

    #[test]
    fn probes_are_ok_or_ready() {
        assert_eq!(
            serde_json::to_value(ProbeStatus::READY).unwrap(),
            json!({"status": "ready"})
        );
        assert_eq!(
            serde_json::from_value::<ProbeStatus>(json!({"status": "ok"})).unwrap(),
            ProbeStatus::OK
        );
    }
}
