//! Handling one record, with no broker and no database: decide what it is.
//!
//! Everything here is pure, so every kind of bad record can be tested without Kafka.

use chrono::Utc;
use orders_core::saga::lifecycle::Outcome;
use orders_core::saga::{EventKind, InventoryRejected, PaymentCompleted, PaymentFailed, SagaEvent};
use orders_core::{EventError, EventPosition, NewOrder, OrderCreated, OrderEvent};
use orders_kafka::ReceivedRecord;
use orders_runtime::Rejection;

/// Reads one record of `kind` (the kind its topic carries) with the contract's rules:
/// the event, or why the record can never be applied.
pub fn decide(record: &ReceivedRecord, kind: Option<EventKind>) -> Result<OrderEvent, Rejection> {
    if let Some(problem) = &record.header_error {
        return Err(Rejection::new("bad_headers", problem.clone()));
    }
    let Some(value) = record.value.as_deref() else {
        return Err(rejection(&EventError::NotJson(
            "the record has no value".into(),
        )));
    };
    let outcome = |outcome: Result<Outcome, EventError>| {
        outcome
            .map(|outcome| OrderEvent::Outcome {
                outcome,
                source: position(record),
            })
            .map_err(|e| rejection(&e))
    };
    match kind {
        Some(EventKind::OrderCreated) => OrderCreated::from_json(value)
            .map(|event| {
                OrderEvent::Created(NewOrder {
                    event,
                    source: Some(position(record)),
                    persisted_at: Utc::now(),
                })
            })
            .map_err(|e| rejection(&e)),
        Some(EventKind::InventoryRejected) => {
            outcome(InventoryRejected::from_json(value).map(Outcome::InventoryRejected))
        }
        Some(EventKind::PaymentCompleted) => {
            outcome(PaymentCompleted::from_json(value).map(Outcome::PaymentCompleted))
        }
        Some(EventKind::PaymentFailed) => {
            outcome(PaymentFailed::from_json(value).map(Outcome::PaymentFailed))
        }
        _ => Err(Rejection::new(
            "unexpected_topic",
            format!(
                "the order-service does not handle records of {}",
                record.topic
            ),
        )),
    }
}

fn position(record: &ReceivedRecord) -> EventPosition {
    EventPosition {
        topic: record.topic.clone(),
        partition: record.partition,
        offset: record.offset,
    }
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

    const CREATED: Option<EventKind> = Some(EventKind::OrderCreated);

    const EVENT: &[u8] = br#"{"correlationId":"c-1","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}"#;

    #[test]
    fn a_contract_event_is_read() {
        match decide(&record(Some(EVENT)), CREATED).unwrap() {
            OrderEvent::Created(order) => assert_eq!(order.event.correlation_id.as_str(), "c-1"),
            other => panic!("expected an order, got {other:?}"),
        }
    }

    #[test]
    fn an_outcome_is_read_by_its_topic_s_kind() {
        let value = br#"{"correlationId":"c-1","paymentId":"pay_1","amount":150,"completedAt":"2025-12-05T21:15:00.000Z"}"#;
        match decide(&record(Some(value)), Some(EventKind::PaymentCompleted)).unwrap() {
            OrderEvent::Outcome { outcome, source } => {
                assert_eq!(outcome.kind(), EventKind::PaymentCompleted);
                assert_eq!((source.partition, source.offset), (2, 7));
            }
            other => panic!("expected an outcome, got {other:?}"),
        }
        let rejection = decide(&record(Some(EVENT)), Some(EventKind::PaymentFailed)).unwrap_err();
        assert_eq!(rejection.kind, "contract_violation");
        let rejection = decide(&record(Some(EVENT)), None).unwrap_err();
        assert_eq!(rejection.kind, "unexpected_topic");
    }

    #[test]
    fn bad_records_are_rejected_with_their_kind() {
        let kind = |value: Option<&[u8]>| decide(&record(value), CREATED).unwrap_err().kind;
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
        let rejection = decide(&bad, CREATED).unwrap_err();
        assert_eq!(rejection.kind, "bad_headers");
        assert!(rejection.message.contains("bytes ff"), "{rejection}");
    }
}
