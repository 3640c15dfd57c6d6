//! Property tests of `POST /orders` with hostile input: arbitrary JSON, arbitrary bytes,
//! arbitrary content types and correlation ids. Whatever arrives, the gateway never
//! answers 5xx, rejects with 4xx exactly what the core's validation rejects, publishes
//! nothing for a 4xx, and publishes a valid order exactly once.

use super::{Answer, RecordingPublisher, app, request, send};
use axum::http::{HeaderValue, Method, StatusCode};
use orders_core::validation::MAX_SAFE_INTEGER;
use orders_core::{CorrelationId, OrderCreated, OrderRequest};
use orders_gateway::GatewayConfig;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Small, so that arbitrary bodies cross it often.
const MAX_BODY: usize = 1024;

/// Posts `body` with `headers` to a fresh gateway; the answer and what was published.
fn post(headers: &[(&str, &[u8])], body: Vec<u8>) -> (Answer, Vec<OrderCreated>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let publisher = Arc::new(RecordingPublisher::default());
        let config = GatewayConfig {
            max_body_bytes: MAX_BODY,
            ..GatewayConfig::default()
        };
        let app = app(publisher.clone(), &config);
        let answer = send(&app, request(Method::POST, "/orders", headers, body)).await;
        (answer, publisher.published())
    })
}

/// What must hold for every answer: no 5xx, nothing published for a 4xx, and a 202 is
/// one published event whose correlation id the answer names.
fn assert_sound(answer: &Answer, published: &[OrderCreated]) -> Result<(), TestCaseError> {
    let body = String::from_utf8_lossy(&answer.body);
    prop_assert!(
        !answer.status.is_server_error(),
        "{}: {body}",
        answer.status
    );
    if answer.status.is_client_error() {
        prop_assert!(
            published.is_empty(),
            "{} but published {published:?}",
            answer.status
        );
        prop_assert!(
            answer.status == StatusCode::PAYLOAD_TOO_LARGE || answer.json()["error"].is_string(),
            "{}: {body}",
            answer.status
        );
    } else {
        prop_assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", body);
        prop_assert_eq!(published.len(), 1);
        let answered = answer.json();
        prop_assert_eq!(
            answered["correlationId"].as_str(),
            Some(published[0].correlation_id.as_str())
        );
    }
    Ok(())
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn uuid_text() -> impl Strategy<Value = String> {
    (any::<u128>(), any::<bool>()).prop_map(|(n, upper)| {
        let text = uuid::Uuid::from_u128(n).hyphenated().to_string();
        if upper {
            text.to_ascii_uppercase()
        } else {
            text
        }
    })
}

fn quantity() -> impl Strategy<Value = u64> {
    prop_oneof![1..=10u64, 1..=MAX_SAFE_INTEGER]
}

fn total() -> impl Strategy<Value = f64> {
    prop_oneof![
        (1..=1_000_000u32).prop_map(f64::from),
        (1..=100_000_000u32).prop_map(|cents| f64::from(cents) / 100.0),
        (f64::MIN_POSITIVE..1e300),
    ]
}

/// Orders the core accepts, some with fields it ignores.
fn valid_order() -> impl Strategy<Value = Value> {
    // Any characters but control characters, from every plane.
    let sku = "[^\\x00-\\x1f\\x7f-\\x9f]{1,16}";
    let item = (sku, quantity()).prop_map(|(sku, q)| json!({"sku": sku, "quantity": q}));
    (
        uuid_text(),
        prop::collection::vec(item, 1..5),
        total(),
        prop::option::of(any_json()),
    )
        .prop_map(|(customer, items, total, extra)| {
            let mut order = json!({"customerId": customer, "items": items, "totalAmount": total});
            if let Some(extra) = extra {
                order["coupon"] = extra;
            }
            order
        })
}

/// Objects shaped like an order where any field may be missing, mistyped or out of
/// range: the cases the validation is for.
fn order_like() -> impl Strategy<Value = Value> {
    let field = |valid: BoxedStrategy<Value>| {
        prop_oneof![
            4 => valid.prop_map(Some),
            1 => any_json().prop_map(Some),
            1 => Just(None),
        ]
    };
    let number_edge = prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(MAX_SAFE_INTEGER + 1)),
        Just(json!(1e300)),
        Just(json!("1")),
    ];
    let quantity = prop_oneof![3 => quantity().prop_map(Value::from), 1 => number_edge.clone()];
    let sku = prop_oneof![3 => ".{1,8}".prop_map(Value::from), 1 => Just(json!(""))];
    let item = (field(sku.boxed()), field(quantity.boxed())).prop_map(|(sku, quantity)| {
        let mut item = Map::new();
        sku.map(|v| item.insert("sku".into(), v));
        quantity.map(|v| item.insert("quantity".into(), v));
        Value::Object(item)
    });
    let items = prop::collection::vec(item, 0..4).prop_map(Value::from);
    let customer =
        prop_oneof![3 => uuid_text().prop_map(Value::from), 1 => ".{0,40}".prop_map(Value::from)];
    let amount = prop_oneof![3 => total().prop_map(Value::from), 1 => number_edge];
    (
        field(customer.boxed()),
        field(items.boxed()),
        field(amount.boxed()),
    )
        .prop_map(|(customer, items, amount)| {
            let mut order = Map::new();
            customer.map(|v| order.insert("customerId".into(), v));
            items.map(|v| order.insert("items".into(), v));
            amount.map(|v| order.insert("totalAmount".into(), v));
            Value::Object(order)
        })
}

/// Bytes a client can put in a header value (visible ASCII, spaces, tabs, obs-text).
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![8 => 0x20u8..=0x7e, 1 => 0x80u8..=0xff, 1 => Just(b'\t')];
    prop::collection::vec(byte, 0..140).prop_filter("a valid header value", |b| {
        HeaderValue::from_bytes(b).is_ok()
    })
}

fn content_type() -> impl Strategy<Value = Option<Vec<u8>>> {
    let known = prop_oneof![
        Just("application/json"),
        Just("application/json; charset=utf-8"),
        Just("APPLICATION/JSON"),
        Just("application/merge-patch+json"),
        Just("application/jsonx"),
        Just("text/json"),
        Just("text/plain"),
        Just("multipart/form-data; boundary=x"),
        Just(""),
    ]
    .prop_map(|s| s.as_bytes().to_vec());
    prop_oneof![4 => known.prop_map(Some), 2 => header_bytes().prop_map(Some), 1 => Just(None)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_json_body_is_accepted_exactly_when_the_core_accepts_it(
        body in prop_oneof![any_json(), order_like(), valid_order()]
    ) {
        let (answer, published) =
            post(&[("content-type", b"application/json")], serde_json::to_vec(&body).unwrap());
        assert_sound(&answer, &published)?;
        match OrderRequest::from_json(&body) {
            Ok(order) => {
                prop_assert_eq!(answer.status, StatusCode::ACCEPTED);
                prop_assert_eq!(&published[0].items, &order.items);
                prop_assert_eq!(published[0].customer_id, order.customer_id);
                prop_assert_eq!(published[0].total_amount, order.total_amount);
            }
            Err(violations) => {
                prop_assert_eq!(answer.status, StatusCode::BAD_REQUEST);
                let details = answer.json()["details"].clone();
                let paths: Vec<_> = details.as_array().unwrap().iter().map(|d| d["path"].clone()).collect();
                let expected: Vec<_> = violations.as_slice().iter().map(|v| json!(v.path)).collect();
                prop_assert_eq!(paths, expected);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_get_a_5xx_nor_publish_unless_they_are_a_valid_order(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..2 * MAX_BODY),
            valid_order().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        ]
    ) {
        let (answer, published) = post(&[("content-type", b"application/json")], body.clone());
        assert_sound(&answer, &published)?;
        let valid = body.len() <= MAX_BODY
            && serde_json::from_slice::<Value>(&body)
                .is_ok_and(|json| OrderRequest::from_json(&json).is_ok());
        prop_assert_eq!(answer.status == StatusCode::ACCEPTED, valid);
        if body.len() > MAX_BODY {
            prop_assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        }
    }

    #[test]
    fn any_content_type_and_correlation_id_is_answered_soundly(
        content_type in content_type(),
        correlation_id in prop::option::of(prop_oneof![
            header_bytes(),
            "[!-~]{1,128}".prop_map(String::into_bytes),
        ]),
        body in prop_oneof![3 => valid_order(), 1 => order_like()],
    ) {
        let mut headers: Vec<(&str, &[u8])> = Vec::new();
        if let Some(value) = &content_type {
            headers.push(("content-type", value));
        }
        if let Some(value) = &correlation_id {
            headers.push(("x-correlation-id", value));
        }
        let (answer, published) = post(&headers, serde_json::to_vec(&body).unwrap());
        assert_sound(&answer, &published)?;

        let id_ok = correlation_id.as_ref().is_none_or(|id| {
            std::str::from_utf8(id).is_ok_and(|id| CorrelationId::parse(id).is_ok())
        });
        let plain_json = content_type.as_deref() == Some(b"application/json");
        if plain_json && id_ok && OrderRequest::from_json(&body).is_ok() {
            prop_assert_eq!(answer.status, StatusCode::ACCEPTED);
        }
        if !id_ok {
            prop_assert!(answer.status.is_client_error());
        }
        if let (StatusCode::ACCEPTED, Some(id)) = (answer.status, &correlation_id) {
            prop_assert_eq!(published[0].correlation_id.as_str().as_bytes(), id.as_slice());
            prop_assert_eq!(answer.headers["x-correlation-id"].as_bytes(), id.as_slice());
        }
    }

    #[test]
    fn every_valid_order_is_accepted_and_published_exactly_once(order in valid_order()) {
        let (answer, published) =
            post(&[("content-type", b"application/json")], serde_json::to_vec(&order).unwrap());
        prop_assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", String::from_utf8_lossy(&answer.body));
        prop_assert_eq!(published.len(), 1);
        let answered = answer.json();
        prop_assert_eq!(&answered["event"], &serde_json::from_slice::<Value>(&published[0].to_json()).unwrap());
    }
}
