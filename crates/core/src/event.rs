//! The `order_created` event: the one promise the pipeline makes on the wire.
//!
//! Its JSON is exactly the seed's contract and nothing more (metadata such as
//! `traceparent` travels in record headers), so that events from the seed's own gateway
//! are accepted by our order-service and ours by the seed's.

use crate::order::{Amount, CorrelationId, OrderItem, OrderRequest};
use crate::validation::{Fields, Violations, kind};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The contract as a JSON Schema (draft 2020-12): it accepts exactly the values
/// [`OrderCreated::from_json`] accepts (a test holds them to each other). Schema
/// registries and the local broker's enforcement are given this text.
pub const JSON_SCHEMA: &str = include_str!("../../../docs/schemas/order_created.json");

/// An order was accepted by the gateway. Serialises to the contract's JSON:
///
/// ```json
/// {"correlationId":"…","customerId":"…","items":[{"sku":"SKU-1","quantity":2}],
///  "totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}
/// ```
///
/// Deserialising checks the contract's rules ([`OrderCreated::from_value`]), so a client
/// that reads one reads a valid event or fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 128, pattern = "^[!-~]{1,128}$"))]
    pub correlation_id: CorrelationId,
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        )
    )]
    pub customer_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub items: Vec<OrderItem>,
    #[cfg_attr(feature = "openapi", schema(value_type = f64, exclusive_minimum = 0))]
    pub total_amount: Amount,
    /// UTC, written with milliseconds and `Z` (`2025-12-05T21:15:00.000Z`), as
    /// JavaScript's `Date.toISOString()` does.
    #[serde(serialize_with = "crate::time::serialize_millis")]
    pub created_at: DateTime<Utc>,
}

impl OrderCreated {
    /// The event for a request accepted at `now` (kept to the millisecond the contract
    /// can carry, so that what is published and what is returned are the same).
    pub fn new(correlation_id: CorrelationId, request: OrderRequest, now: DateTime<Utc>) -> Self {
        Self {
            correlation_id,
            customer_id: request.customer_id,
            items: request.items,
            total_amount: request.total_amount,
            created_at: now.trunc_subsecs(3),
        }
    }

    /// The record value: the contract's JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data with string keys into a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a record value: UTF-8, JSON, then the contract's rules, each failure told
    /// apart so that the order-service can say why it set a record aside.
    pub fn from_json(value: &[u8]) -> Result<Self, EventError> {
        let text = std::str::from_utf8(value).map_err(|e| EventError::NotUtf8(e.to_string()))?;
        let json: Value =
            serde_json::from_str(text).map_err(|e| EventError::NotJson(e.to_string()))?;
        Self::from_value(&json).map_err(|violations| EventError::Invalid {
            event: "order_created",
            violations,
        })
    }

    /// Validates a parsed event with the same rules as the gateway's request, plus
    /// `correlationId` and `createdAt`.
    pub fn from_value(json: &Value) -> Result<Self, Violations> {
        let mut violations = Violations::default();
        let event = Fields::of(json, String::new(), &mut violations).and_then(|fields| {
            let correlation_id = fields
                .string("correlationId", &mut violations)
                .and_then(|s| {
                    CorrelationId::parse(s)
                        .map_err(|e| violations.push(fields.path_of("correlationId"), e.0))
                        .ok()
                });
            let request = OrderRequest::read(&fields, &mut violations);
            let created_at = fields
                .required("createdAt", &mut violations)
                .and_then(|v| parse_timestamp(v, &fields.path_of("createdAt"), &mut violations));
            Some(Self::new(correlation_id?, request?, created_at?))
        });
        match event {
            Some(event) if violations.is_empty() => Ok(event),
            _ => Err(violations),
        }
    }
}

impl TryFrom<Value> for OrderCreated {
    type Error = Violations;
    fn try_from(json: Value) -> Result<Self, Self::Error> {
        Self::from_value(&json)
    }
}

fn parse_timestamp(
    value: &Value,
    path: &str,
    violations: &mut Violations,
) -> Option<DateTime<Utc>> {
    let Value::String(s) = value else {
        violations.push(path, format!("must be a string, found {}", kind(value)));
        return None;
    };
    crate::time::parse(s)
        .map_err(|message| violations.push(path, message))
        .ok()
}

/// Why a record value is not an `order_created` event. None of these get better by
/// retrying: the record itself is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("value is not UTF-8: {0}")]
    NotUtf8(String),
    #[error("value is not JSON: {0}")]
    NotJson(String),
    #[error("value breaks the {event} contract: {violations}")]
    Invalid {
        /// The event's name (`order_created`, `payment_completed`, …).
        event: &'static str,
        violations: Violations,
    },
}

impl EventError {
    /// A short stable name for logs, metrics and dead-letter headers.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotUtf8(_) => "not_utf8",
            Self::NotJson(_) => "not_json",
            Self::Invalid { .. } => "contract_violation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    const SEED_EVENT: &str = r#"{"correlationId":"4d93d58a-4f0b-4d7c-9b3d-5dc2f44f9f92","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}"#;

    #[test]
    fn the_json_schema_is_draft_2020_12() {
        let schema: Value = serde_json::from_str(JSON_SCHEMA).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }

    #[test]
    fn the_seed_example_round_trips_byte_for_byte() {
        let event = OrderCreated::from_json(SEED_EVENT.as_bytes()).unwrap();
        assert_eq!(
            event.created_at,
            Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, 0).unwrap()
        );
        assert_eq!(String::from_utf8(event.to_json()).unwrap(), SEED_EVENT);
    }

    #[test]
    fn created_at_is_utc_with_milliseconds_and_z() {
        let now = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
            + chrono::Duration::microseconds(678_901);
        let request = OrderRequest::from_json(&json!({
            "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
            "items": [{"sku": "SKU-1", "quantity": 2}], "totalAmount": 10.5
        }))
        .unwrap();
        let event = OrderCreated::new(CorrelationId::parse("c-1").unwrap(), request, now);
        let value: Value = serde_json::from_slice(&event.to_json()).unwrap();
        assert_eq!(value["createdAt"], "2026-01-02T03:04:05.678Z");
        assert_eq!(value["totalAmount"], json!(10.5));
        let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 5, "nothing but the contract's fields: {keys:?}");
    }

    #[test]
    fn other_time_zones_are_read_as_utc() {
        let mut value: Value = serde_json::from_str(SEED_EVENT).unwrap();
        value["createdAt"] = json!("2025-12-05T18:15:00-03:00");
        let event = OrderCreated::from_value(&value).unwrap();
        assert_eq!(
            event.created_at,
            Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, 0).unwrap()
        );
    }

    #[test]
    fn times_the_stores_cannot_keep_are_refused() {
        let check = |t: &str| {
            let mut value: Value = serde_json::from_str(SEED_EVENT).unwrap();
            value["createdAt"] = json!(t);
            OrderCreated::from_value(&value)
                .map(|e| e.created_at)
                .map_err(|v| v.to_string())
        };
        assert!(check("9999-12-31T23:59:59.999Z").is_ok());
        assert!(check("0000-01-01T00:00:00Z").is_ok());
        let outside = "/createdAt must stay within the years 0000 to 9999 in UTC (on 9999-12-31 no \
                       offset that moves it forward, on 0000-01-01 none that moves it back)";
        assert_eq!(check("9999-12-31T23:59:59.999-00:01"), Err(outside.into()));
        assert_eq!(check("0000-01-01T00:00:00+00:01"), Err(outside.into()));
        assert!(check("9999-12-31T23:59:59.999+05:00").is_ok());
        assert!(check("9999-12-31T00:00:00-00:00").is_ok());
        assert_eq!(
            check("2016-12-31T23:59:60Z"),
            Err("/createdAt must not be a leap second".into())
        );
    }

    #[test]
    fn failures_are_told_apart() {
        assert_eq!(
            OrderCreated::from_json(&[0xff, 0xfe]).unwrap_err().kind(),
            "not_utf8"
        );
        assert_eq!(
            OrderCreated::from_json(b"{not json").unwrap_err().kind(),
            "not_json"
        );
        let err = OrderCreated::from_json(br#"{"correlationId":"a b","createdAt":"yesterday"}"#)
            .unwrap_err();
        assert_eq!(err.kind(), "contract_violation");
        assert_eq!(
            err.to_string(),
            "value breaks the order_created contract: /correlationId must contain only visible \
             ASCII characters (no spaces); /customerId is required; /items is required; \
             /totalAmount is required; /createdAt must be an ISO-8601 timestamp such as \
             2025-12-05T21:15:00.000Z"
        );
    }
}
