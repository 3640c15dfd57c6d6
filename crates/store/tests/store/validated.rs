//! The validator and the stores never disagree: every `order_created` event the contract
//! accepts, however odd its values, is taken by the order-service's, the
//! inventory-service's and the payment-service's stores on both backends, and read back
//! as it was sent.
//!
//! Events are generated as JSON, the way any producer can write them, and kept only when
//! the validator accepts them (`OrderCreated::from_json`, what the gateway and every
//! consumer call); each batch then goes through each store's own write path. A failure
//! is shrunk by proptest to the smallest event that shows it.

use crate::harness::run_fresh;
use chrono::{DateTime, Utc};
use orders_core::api::ReservationStatus;
use orders_core::saga::payment::ChargeOutcome;
use orders_core::{EventPosition, FinalTopics, NewOrder, OrderCreated, OrderEvent, OrderStore};
use orders_store::inventory::{InventoryEvent, InventoryStore, InventoryTopics};
use orders_store::payments::{NewPayment, PaymentStore, PaymentTopics};
use orders_store::{Backend, Store, StoreOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The largest integer JavaScript keeps exactly, the contract's largest quantity.
const MAX_QUANTITY: u64 = 9_007_199_254_740_991;

/// A SKU: anything of 1 to 256 characters but control characters, from every plane
/// (quotes, backslashes, `%`, SQL, right-to-left marks, emoji), with its edges.
fn sku() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[^\\x00-\\x1f\\x7f-\\x9f]{1,24}",
        1 => "SKU-[0-9]{1,3}",
        1 => Just("é".repeat(256)),
        1 => Just("'; DROP TABLE stock; --".to_owned()),
        1 => Just("\\u0000 \\\\ \" %s %% _".to_owned()),
        1 => Just("\u{feff}\u{202e}\u{2028}𝄞🛒".to_owned()),
    ]
}

fn quantity() -> impl Strategy<Value = u64> {
    prop_oneof![Just(1), Just(MAX_QUANTITY), 1..=MAX_QUANTITY, 1..=100u64]
}

fn items() -> impl Strategy<Value = Vec<Value>> {
    let item = (sku(), quantity())
        .prop_map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity}))
        .boxed();
    prop_oneof![
        12 => prop::collection::vec(item.clone(), 1..6),
        1 => prop::collection::vec(item, 1000),
    ]
}

/// Any positive finite number, its extremes included.
fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::from_bits(1)),
        Just(f64::MAX),
        Just(0.1 + 0.2),
        0.01..1e6f64,
        (1e-300..1e300f64),
    ]
}

/// An RFC 3339 time anywhere in the years 0000 to 9999, with 0 to 9 fraction digits and
/// any offset, the edges weighted up.
fn created_at() -> impl Strategy<Value = String> {
    let year = prop_oneof![Just(0u32), Just(9999), Just(1970), 0..=9999u32];
    let (month, day) = (
        prop_oneof![Just(1u32), Just(12), 1..=12u32],
        prop_oneof![Just(1u32), Just(31), 1..=28u32],
    );
    let time = (0..24u32, 0..60u32, 0..60u32);
    let fraction = prop_oneof![Just(String::new()), "\\.[0-9]{1,9}"];
    let offset = prop_oneof![
        Just("Z".to_owned()),
        (prop::bool::ANY, 0..24u32, 0..60u32)
            .prop_map(|(west, h, m)| format!("{}{h:02}:{m:02}", if west { '-' } else { '+' })),
    ];
    (year, month, day, time, fraction, offset).prop_map(
        |(year, month, day, (h, m, s), fraction, offset)| {
            format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{fraction}{offset}")
        },
    )
}

/// An `order_created` value as any producer may write it, kept when the validator
/// accepts it (the id is made unique per case and position later).
fn event() -> impl Strategy<Value = OrderCreated> {
    let correlation_id = "[!-~]{1,100}";
    let customer_id = (any::<u128>(), prop::bool::ANY).prop_map(|(n, upper)| {
        let id = uuid::Uuid::from_u128(n).hyphenated().to_string();
        if upper { id.to_uppercase() } else { id }
    });
    (correlation_id, customer_id, items(), amount(), created_at()).prop_filter_map(
        "the validator refuses it (an impossible date, an offset past 0000 or 9999)",
        |(id, customer, items, amount, created)| {
            let value = json!({
                "correlationId": id, "customerId": customer, "items": items,
                "totalAmount": amount, "createdAt": created,
            });
            OrderCreated::from_json(value.to_string().as_bytes()).ok()
        },
    )
}

/// The three services' stores, each on a database of its own.
struct Stores {
    orders: Store,
    inventory: InventoryStore,
    payments: PaymentStore,
}

fn failed(what: &str, error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {error}"))
}

/// Puts one batch through every store and reads each event back.
async fn round_trip(
    stores: &Stores,
    case: u32,
    events: Vec<OrderCreated>,
) -> Result<(), TestCaseError> {
    let now: DateTime<Utc> = Utc::now();
    let events: Vec<OrderCreated> = events
        .into_iter()
        .enumerate()
        .map(|(i, mut event)| {
            let id = format!("{case}.{i}:{}", event.correlation_id.as_str());
            event.correlation_id =
                orders_core::CorrelationId::parse(&id).expect("still 1 to 128 visible characters");
            event
        })
        .collect();
    let source = |i: usize| EventPosition {
        topic: "order_created".into(),
        partition: 0,
        offset: i64::from(case) * 10_000 + i as i64,
    };
    let traces = vec![Vec::new(); events.len()];

    // The order-service: each one created, pending, as it was sent.
    let batch: Vec<OrderEvent> = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            OrderEvent::Created(NewOrder {
                event: event.clone(),
                source: Some(source(i)),
                persisted_at: now,
            })
        })
        .collect();
    let finals = FinalTopics {
        confirmed: "order_confirmed".into(),
        rejected: "order_rejected".into(),
    };
    let applied = stores
        .orders
        .apply(&batch, &traces, &finals)
        .await
        .map_err(|e| failed("the order store refused what the validator accepted", e))?;
    prop_assert_eq!(applied.created, events.len(), "{:?}", applied);
    for event in &events {
        let order = stores
            .orders
            .get(&event.correlation_id)
            .await
            .map_err(|e| failed("reading an order back", e))?
            .ok_or_else(|| failed("an order is missing", event.correlation_id.as_str()))?;
        prop_assert_eq!(&order.customer_id, &event.customer_id);
        prop_assert_eq!(&order.items, &event.items);
        prop_assert_eq!(
            order.total_amount.value().to_bits(),
            event.total_amount.value().to_bits()
        );
        // The event keeps the milliseconds the contract carries; the stores keep them all.
        prop_assert_eq!(order.created_at, event.created_at);
    }

    // The inventory-service: each order reserved with its units per SKU, when the stock
    // (as much as the store can count) covers the whole batch.
    let mut wanted: BTreeMap<String, u128> = BTreeMap::new();
    for item in events.iter().flat_map(|e| &e.items) {
        *wanted.entry(item.sku.clone()).or_default() += u128::from(item.quantity);
    }
    let plenty = wanted.values().all(|&n| n <= i64::MAX as u128);
    let stock: Vec<(String, u64)> = wanted.keys().map(|sku| (sku.clone(), u64::MAX)).collect();
    stores
        .inventory
        .set_stock(&stock)
        .await
        .map_err(|e| failed("the inventory refused a SKU the validator accepted", e))?;
    let batch: Vec<InventoryEvent> = events.iter().cloned().map(InventoryEvent::Order).collect();
    let sources: Vec<EventPosition> = (0..events.len()).map(source).collect();
    let topics = InventoryTopics {
        reserved: "inventory_reserved".into(),
        rejected: "inventory_rejected".into(),
        released: "inventory_released".into(),
    };
    let applied = stores
        .inventory
        .apply(&batch, &sources, &traces, &topics)
        .await
        .map_err(|e| failed("the inventory store refused what the validator accepted", e))?;
    prop_assert!(applied.conflicts.is_empty(), "{:?}", applied);
    for event in &events {
        let reservation = stores
            .inventory
            .reservation(event.correlation_id.as_str())
            .await
            .map_err(|e| failed("reading a reservation back", e))?
            .ok_or_else(|| failed("a reservation is missing", event.correlation_id.as_str()))?;
        let mut units: BTreeMap<String, u64> = BTreeMap::new();
        for item in &event.items {
            *units.entry(item.sku.clone()).or_default() += item.quantity;
        }
        if plenty || reservation.status == ReservationStatus::Reserved {
            prop_assert_eq!(reservation.status, ReservationStatus::Reserved);
            prop_assert_eq!(reservation.items, units);
        } else {
            prop_assert_eq!(reservation.reason.as_deref(), Some("out_of_stock"));
        }
    }

    // The payment-service: each charge recorded with its amount, to the bit.
    let payments: Vec<NewPayment> = events
        .iter()
        .enumerate()
        .map(|(i, event)| NewPayment {
            correlation_id: event.correlation_id.clone(),
            customer_id: event.customer_id,
            amount: event.total_amount,
            outcome: ChargeOutcome::Completed {
                payment_id: format!("pay_{}", event.correlation_id.as_str()),
            },
            source: source(i),
            trace: Vec::new(),
        })
        .collect();
    let topics = PaymentTopics {
        completed: "payment_completed".into(),
        failed: "payment_failed".into(),
    };
    stores
        .payments
        .record(&payments, &topics)
        .await
        .map_err(|e| failed("the payment store refused what the validator accepted", e))?;
    for event in &events {
        let payment = stores
            .payments
            .payment(event.correlation_id.as_str())
            .await
            .map_err(|e| failed("reading a payment back", e))?
            .ok_or_else(|| failed("a payment is missing", event.correlation_id.as_str()))?;
        prop_assert_eq!(
            payment.amount.to_bits(),
            event.total_amount.value().to_bits()
        );
        prop_assert_eq!(
            payment.customer_id,
            event.customer_id.hyphenated().to_string()
        );
    }
    Ok(())
}

async fn every_accepted_event_is_stored_and_read_back(backend: Backend) {
    run_fresh(backend, move |orders| async move {
        run_fresh(backend, move |inventory| async move {
            run_fresh(backend, move |payments| async move {
                let options = StoreOptions::default;
                let stores = Stores {
                    orders: orders_store::connect(&orders.url, options()).await.unwrap(),
                    inventory: orders_store::inventory::connect(&inventory.url, options())
                        .await
                        .unwrap(),
                    payments: orders_store::payments::connect(&payments.url, options())
                        .await
                        .unwrap(),
                };
                let handle = tokio::runtime::Handle::current();
                // proptest drives synchronous cases: each one blocks this worker on the
                // async stores (the runtime's other worker keeps the pools going).
                tokio::task::block_in_place(move || {
                    let mut runner = TestRunner::new(Config {
                        cases: 48,
                        failure_persistence: None,
                        ..Config::default()
                    });
                    let case = std::cell::Cell::new(0);
                    let outcome = runner.run(&prop::collection::vec(event(), 1..8), |events| {
                        case.set(case.get() + 1);
                        handle.block_on(round_trip(&stores, case.get(), events))
                    });
                    if let Err(e) = outcome {
                        panic!("{e}");
                    }
                });
            })
            .await;
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_the_validator_accepts_is_kept_by_every_sqlite_store() {
    every_accepted_event_is_stored_and_read_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_the_validator_accepts_is_kept_by_every_postgres_store() {
    every_accepted_event_is_stored_and_read_back(Backend::Postgres).await;
}
