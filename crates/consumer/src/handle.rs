//! Handling one record, with no broker and no database: decide what it is.
//!
//! Everything here is pure, so every kind of bad record can be tested without Kafka.

use orders_core::{EventError, EventPosition, OrderCreated};
use orders_kafka::ReceivedRecord;

/// What the order-service does with one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A valid event: create its order.
    Create(OrderCreated, EventPosition),
    /// A record that can never become an order: set it aside (dead-letter) and move on.
    Reject(EventError),
}

/// Parses and validates one record with the contract's rules.
pub fn decide(record: &ReceivedRecord) -> Decision {
    let Some(value) = record.value.as_deref() else {
        return Decision::Reject(EventError::NotJson("the record has no value".into()));
    };
    match OrderCreated::from_json(value) {
        Ok(event) => Decision::Create(event, position(record)),
        Err(error) => Decision::Reject(error),
    }
}

pub(crate) fn position(record: &ReceivedRecord) -> EventPosition {
    EventPosition {
        topic: record.topic.clone(),
        partition: record.partition,
        offset: record.offset,
    }
}

/// The correlation id a rejected record claims, for the log line: from its value when
/// that much is readable, else its key.
pub(crate) fn claimed_correlation_id(record: &ReceivedRecord) -> Option<String> {
    let from_value = record
        .value
        .as_deref()
        .and_then(|v| serde_json::from_slice::<serde_json::Value>(v).ok())
        .and_then(|v| v.get("correlationId")?.as_str().map(str::to_owned));
    from_value.or_else(|| {
        record
            .key
            .as_deref()
            .and_then(|k| std::str::from_utf8(k).ok())
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: Option<&[u8]>) -> ReceivedRecord {
        ReceivedRecord {
            topic: "order_created".into(),
            partition: 2,
            offset: 7,
            timestamp_ms: None,
            key: Some(b"k-1".to_vec()),
            value: value.map(<[u8]>::to_vec),
            headers: Vec::new(),
            header_error: None,
        }
    }

    #[test]
    fn a_contract_event_is_created_with_its_position() {
        let value = br#"{"correlationId":"c-1","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}"#;
        match decide(&record(Some(value))) {
            Decision::Create(event, position) => {
                assert_eq!(event.correlation_id.as_str(), "c-1");
                assert_eq!((position.partition, position.offset), (2, 7));
            }
            other => panic!("expected Create, got {other:?}"),
        }
    }

    #[test]
    fn bad_records_are_rejected_with_their_kind() {
        let kind = |value: Option<&[u8]>| match decide(&record(value)) {
            Decision::Reject(e) => e.kind(),
            other => panic!("expected Reject, got {other:?}"),
        };
        assert_eq!(kind(None), "not_json");
        assert_eq!(kind(Some(b"\xff")), "not_utf8");
        assert_eq!(kind(Some(b"[1,2")), "not_json");
        assert_eq!(
            kind(Some(br#"{"correlationId":"c-2"}"#)),
            "contract_violation"
        );
    }

    #[test]
    fn the_claimed_correlation_id_comes_from_the_value_then_the_key() {
        assert_eq!(
            claimed_correlation_id(&record(Some(br#"{"correlationId":"c-9"}"#))).as_deref(),
            Some("c-9")
        );
        assert_eq!(
            claimed_correlation_id(&record(Some(b"garbage"))).as_deref(),
            Some("k-1")
        );
    }
}
