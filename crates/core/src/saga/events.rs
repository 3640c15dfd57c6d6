//! The saga's events: JSON values keyed by correlation id, one topic each, every one with
//! a JSON Schema under `docs/schemas/`.
//!
//! Each event carries what its consumers need and nothing that travels better in a
//! header (`traceparent`, the event id). Times are UTC with milliseconds and `Z`, like
//! `createdAt`. Reading one applies the same rules as `order_created` (a SKU of 1 to 256
//! characters without control characters, positive quantities and amounts, times every
//! store can keep), so that nothing a consumer accepts can be refused by its store.
//! Fields an event does not know are ignored, as Zod does.

use crate::event::EventError;
use crate::order::{Amount, CorrelationId, OrderItem};
use crate::validation::Violations;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Every kind of event in the pipeline. Its name is the event's default topic and the
/// value of the `event-type` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    OrderCreated,
    InventoryReserved,
    InventoryRejected,
    InventoryReleased,
    PaymentCompleted,
    PaymentFailed,
    OrderConfirmed,
    OrderRejected,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        Self::OrderCreated,
        Self::InventoryReserved,
        Self::InventoryRejected,
        Self::InventoryReleased,
        Self::PaymentCompleted,
        Self::PaymentFailed,
        Self::OrderConfirmed,
        Self::OrderRejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderCreated => "order_created",
            Self::InventoryReserved => "inventory_reserved",
            Self::InventoryRejected => "inventory_rejected",
            Self::InventoryReleased => "inventory_released",
            Self::PaymentCompleted => "payment_completed",
            Self::PaymentFailed => "payment_failed",
            Self::OrderConfirmed => "order_confirmed",
            Self::OrderRejected => "order_rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON Schema of `kind`'s value (`docs/schemas/<kind>.json`), what `orders schema
/// register` registers and `orders up`'s broker enforces.
pub fn schema(kind: EventKind) -> &'static str {
    match kind {
        EventKind::OrderCreated => crate::event::JSON_SCHEMA,
        EventKind::InventoryReserved => {
            include_str!("../../../../docs/schemas/inventory_reserved.json")
        }
        EventKind::InventoryRejected => {
            include_str!("../../../../docs/schemas/inventory_rejected.json")
        }
        EventKind::InventoryReleased => {
            include_str!("../../../../docs/schemas/inventory_released.json")
        }
        EventKind::PaymentCompleted => {
            include_str!("../../../../docs/schemas/payment_completed.json")
        }
        EventKind::PaymentFailed => include_str!("../../../../docs/schemas/payment_failed.json"),
        EventKind::OrderConfirmed => include_str!("../../../../docs/schemas/order_confirmed.json"),
        EventKind::OrderRejected => include_str!("../../../../docs/schemas/order_rejected.json"),
    }
}

/// A saga event: its kind, its key, and its JSON both ways.
pub trait SagaEvent: Serialize + DeserializeOwned {
    const KIND: EventKind;

    fn correlation_id(&self) -> &CorrelationId;

    /// The record value.
    fn to_json(&self) -> Vec<u8> {
        // Plain data with string keys into a Vec: cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a record value: UTF-8, JSON, then the event's rules, each failure told
    /// apart, every field named by its JSON Pointer.
    fn from_json(value: &[u8]) -> Result<Self, EventError> {
        let text = std::str::from_utf8(value).map_err(|e| EventError::NotUtf8(e.to_string()))?;
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| EventError::NotJson(e.to_string()))?;
        serde_path_to_error::deserialize(json).map_err(|e| {
            let mut violations = Violations::default();
            violations.push(pointer(e.path()), e.inner().to_string());
            EventError::Invalid {
                event: Self::KIND.as_str(),
                violations,
            }
        })
    }
}

/// `items[0].sku` as a JSON Pointer: `/items/0/sku`.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{key}")),
            Segment::Enum { variant } => Some(format!("/{variant}")),
            Segment::Unknown => None,
        })
        .collect()
}

macro_rules! saga_event {
    ($name:ident, $kind:ident) => {
        impl SagaEvent for $name {
            const KIND: EventKind = EventKind::$kind;
            fn correlation_id(&self) -> &CorrelationId {
                &self.correlation_id
            }
        }
    };
}

/// Why an order was rejected: a short stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Some item's SKU has too little stock.
    OutOfStock,
    /// Some item's SKU is not in the inventory at all.
    UnknownSku,
    /// The payment provider declined the charge.
    PaymentDeclined,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutOfStock => "out_of_stock",
            Self::UnknownSku => "unknown_sku",
            Self::PaymentDeclined => "payment_declined",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the saga an order was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Inventory,
    Payment,
}

/// One SKU the inventory could not reserve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shortage {
    pub sku: String,
    /// Units the order asked for (all its items with this SKU).
    pub requested: u64,
    /// Units available when it asked (0 for an unknown SKU).
    pub available: u64,
}

/// The inventory holds every item of the order for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReserved {
    pub correlation_id: CorrelationId,
    pub customer_id: Uuid,
    #[serde(deserialize_with = "crate::order::deserialize_items")]
    pub items: Vec<OrderItem>,
    pub total_amount: Amount,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub reserved_at: DateTime<Utc>,
}
saga_event!(InventoryReserved, InventoryReserved);

/// The inventory cannot hold the order: nothing was reserved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryRejected {
    pub correlation_id: CorrelationId,
    pub reason: RejectReason,
    pub shortages: Vec<Shortage>,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub rejected_at: DateTime<Utc>,
}
saga_event!(InventoryRejected, InventoryRejected);

/// A reservation was given back (its payment failed): the items are available again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReleased {
    pub correlation_id: CorrelationId,
    #[serde(deserialize_with = "crate::order::deserialize_items")]
    pub items: Vec<OrderItem>,
    pub reason: RejectReason,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub released_at: DateTime<Utc>,
}
saga_event!(InventoryReleased, InventoryReleased);

/// The order's total was charged, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCompleted {
    pub correlation_id: CorrelationId,
    /// The provider's id of the charge.
    pub payment_id: String,
    pub amount: Amount,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub completed_at: DateTime<Utc>,
}
saga_event!(PaymentCompleted, PaymentCompleted);

/// The charge was declined: nothing was charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFailed {
    pub correlation_id: CorrelationId,
    /// Why, in the provider's words (`declined_over_limit`, `declined`).
    pub reason: String,
    pub amount: Amount,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub failed_at: DateTime<Utc>,
}
saga_event!(PaymentFailed, PaymentFailed);

/// The order's final state: confirmed (stock reserved for good, paid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderConfirmed {
    pub correlation_id: CorrelationId,
    pub customer_id: Uuid,
    #[serde(deserialize_with = "crate::order::deserialize_items")]
    pub items: Vec<OrderItem>,
    pub total_amount: Amount,
    pub payment_id: String,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub confirmed_at: DateTime<Utc>,
}
saga_event!(OrderConfirmed, OrderConfirmed);

/// The order's final state: rejected (nothing reserved, nothing charged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRejected {
    pub correlation_id: CorrelationId,
    pub customer_id: Uuid,
    #[serde(deserialize_with = "crate::order::deserialize_items")]
    pub items: Vec<OrderItem>,
    pub total_amount: Amount,
    pub stage: Stage,
    pub reason: RejectReason,
    /// What the payment provider or the inventory said, for a person.
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shortages: Vec<Shortage>,
    #[serde(
        serialize_with = "crate::time::serialize_millis",
        deserialize_with = "crate::time::deserialize"
    )]
    pub rejected_at: DateTime<Utc>,
}
saga_event!(OrderRejected, OrderRejected);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn completed() -> serde_json::Value {
        json!({"correlationId": "c-1", "paymentId": "pay_1", "amount": 150,
               "completedAt": "2025-12-05T21:15:00.000Z", "extra": "ignored"})
    }

    #[test]
    fn an_event_round_trips_and_ignores_fields_it_does_not_know() {
        let event = PaymentCompleted::from_json(completed().to_string().as_bytes()).unwrap();
        assert_eq!(event.payment_id, "pay_1");
        let written: serde_json::Value = serde_json::from_slice(&event.to_json()).unwrap();
        let mut expected = completed();
        expected.as_object_mut().unwrap().remove("extra");
        assert_eq!(written, expected);
    }

    #[test]
    fn a_bad_field_is_named_by_its_json_pointer() {
        let mut value = completed();
        value["amount"] = json!(-1);
        let error = PaymentCompleted::from_json(value.to_string().as_bytes()).unwrap_err();
        assert_eq!(error.kind(), "contract_violation");
        let message = error.to_string();
        assert!(
            message.starts_with("value breaks the payment_completed contract: /amount "),
            "{message}"
        );
        let bad_sku = json!({"correlationId": "c-1", "items": [{"sku": "a\u{0}b", "quantity": 1}],
            "reason": "payment_declined", "releasedAt": "2025-12-05T21:15:00.000Z"});
        let message = InventoryReleased::from_json(bad_sku.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(message.contains("/items/0"), "{message}");
        assert!(message.contains("control characters"), "{message}");
    }

    #[test]
    fn times_follow_the_same_rules_as_created_at() {
        let mut value = completed();
        value["completedAt"] = json!("9999-12-31T23:59:59.999-00:01");
        let message = PaymentCompleted::from_json(value.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(message.contains("/completedAt"), "{message}");
        assert!(message.contains("0000 to 9999"), "{message}");
    }

    #[test]
    fn every_kind_has_its_topic_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("order_shipped"), None);
    }
}
