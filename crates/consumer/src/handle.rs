//! Handling one record, with no broker and no database: decide what it is.
//!
//! Everything here is pure, so every kind of bad record can be tested without Kafka.

use orders_core::{EventError, OrderCreated};
use orders_kafka::ReceivedRecord;
use orders_runtime::Rejection;

/// Parses and validates one record with the contract's rules: the event, or why the
/// record can never become an order.
pub fn decide(record: &ReceivedRecord) -> Result<OrderCreated, Rejection> {
    if let Some(problem) = &record.header_error {
        return Err(Rejection::new("bad_headers", problem.clone()));
    }
    let Some(value) = record.value.as_deref() else {
        return Err(rejection(&EventError::NotJson(
            "the record has no value".into(),
        )));
    };
    OrderCreated::from_json(value).map_err(|e| rejection(&e))
}

fn rejection(error: &EventError) -> Rejection {
    Rejection::new(error.kind(), error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: Option<&[u8]>) -> ReceivedRecord {
        ReceivedRecord {
            topic: "order_created".into(),
            partition: 2,
            offset: 7,
            key: Some(b"k-1".to_vec()),
            value: value.map(<[u8]>::to_vec),
            ..ReceivedRecord::default()
        }
    }

    const EVENT: &[u8] = br#"{"correlationId":"c-1","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}"#;

    #[test]
    fn a_contract_event_is_read() {
        let event = decide(&record(Some(EVENT))).unwrap();
        assert_eq!(event.correlation_id.as_str(), "c-1");
    }

    #[test]
    fn bad_records_are_rejected_with_their_kind() {
        let kind = |value: Option<&[u8]>| decide(&record(value)).unwrap_err().kind;
        assert_eq!(kind(None), "not_json");
        assert_eq!(kind(Some(b"\xff")), "not_utf8");
        assert_eq!(kind(Some(b"[1,2")), "not_json");
        assert_eq!(
            kind(Some(br#"{"correlationId":"c-2"}"#)),
            "contract_violation"
        );
    }

    #[test]
    fn a_record_whose_headers_cannot_be_read_is_rejected_even_with_a_valid_value() {
        let mut bad = record(Some(EVENT));
        bad.header_error = Some("a header key is not UTF-8 (bytes ff)".into());
        let rejection = decide(&bad).unwrap_err();
        assert_eq!(rejection.kind, "bad_headers");
        assert!(rejection.message.contains("bytes ff"), "{rejection}");
    }
}
