//! The order saga end to end: gateway, order-service, inventory-service and
//! payment-service on the shared broker, each on a database of its own, checked against
//! the invariants every run must hold (`docs/reliability.md`): every accepted order final,
//! stock conserved and never negative, at most one charge per order and none for a
//! rejected order, exactly one announcement per order agreeing with its stored state.

use crate::helpers::{
    OrderService, SagaService, Service, Topics, eventually, get_json, http, spawn_consumer,
    spawn_gateway, spawn_inventory, spawn_inventory_on, spawn_payment,
};
use orders_core::saga::EventKind;
use orders_core::saga::payment::SimulatedPolicy;
use orders_kafka::reader::{StartFrom, TopicReader};
use orders_kafka::{Consumer, Record};
use orders_payment::SimulatedProvider;
use serde_json::{Value, json};
use sqlx::{Connection, SqliteConnection};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// A whole saga for one test.
pub struct Saga {
    pub topics: Topics,
    pub gateway: Service,
    pub orders: OrderService,
    pub inventory: SagaService,
    pub payment: SagaService,
}

pub async fn saga(partitions: i32, stock: &[(&str, u64)], policy: SimulatedPolicy) -> Saga {
    let topics = Topics::create(partitions).await;
    let provider = SimulatedProvider {
        policy,
        latency: Duration::ZERO,
    };
    Saga {
        gateway: spawn_gateway(&topics).await,
        orders: spawn_consumer(&topics).await,
        inventory: spawn_inventory(&topics, stock).await,
        payment: spawn_payment(&topics, provider).await,
        topics,
    }
}

/// POSTs an order for `items` with `correlation_id`; expects 202.
pub async fn order(gateway: &Service, correlation_id: &str, items: Value, total: f64) {
    let response = http()
        .post(gateway.url("/orders"))
        .header("x-correlation-id", correlation_id)
        .json(&json!({
            "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
            "items": items,
            "totalAmount": total,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202, "{correlation_id}");
}

/// The order once it is final.
pub async fn final_order(orders: &OrderService, correlation_id: &str) -> Value {
    let url = orders.url(&format!("/orders/{correlation_id}"));
    eventually(
        &format!("order {correlation_id} to reach a final state"),
        Duration::from_secs(60),
        || async {
            let (status, order) = get_json(&url).await;
            (status == 200 && order["status"] != "pending").then_some(order)
        },
    )
    .await
}

/// Every record of `topic`, read to its current end.
pub async fn records(topics: &Topics, topic: &str) -> Vec<orders_kafka::ReceivedRecord> {
    let mut reader = TopicReader::to_end(
        &topics.kafka,
        topic,
        StartFrom::Beginning,
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let mut all = Vec::new();
    while let Some(record) = tokio::time::timeout(Duration::from_secs(30), reader.next())
        .await
        .expect("the topic stopped delivering before its end")
        .unwrap()
    {
        all.push(record);
    }
    all
}

/// The records of `topic` once it has at least `n`: events leave the outboxes a moment
/// after the state they announce is stored. The caller checks there are no more.
pub async fn at_least(topics: &Topics, topic: &str, n: usize) -> Vec<orders_kafka::ReceivedRecord> {
    eventually(
        &format!("{n} records on {topic}"),
        Duration::from_secs(30),
        || async {
            let all = records(topics, topic).await;
            (all.len() >= n).then_some(all)
        },
    )
    .await
}

/// Rows of a SQLite database, on a connection of the test's own.
async fn sqlite_rows<T>(url: &str, sql: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    let rows = sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    rows
}

/// Where the first few orders that are not final wait: the order-service's status, the
/// reservation and the payment, for a failure to say which step did not happen.
async fn where_they_wait(
    waiting: &[&String],
    orders: &HashMap<String, (String, String)>,
    [orders_db, inventory_db, payments_db]: [&str; 3],
) -> String {
    let mut unpublished = Vec::new();
    for db in [orders_db, inventory_db, payments_db] {
        let (n,): (i64,) = sqlite_rows(db, "SELECT COUNT(*) FROM outbox").await[0];
        unpublished.push(n);
    }
    let reservations: HashMap<String, String> = sqlite_rows::<(String, String)>(
        inventory_db,
        "SELECT correlation_id, status FROM reservations",
    )
    .await
    .into_iter()
    .collect();
    let payments: HashMap<String, String> =
        sqlite_rows::<(String, String)>(payments_db, "SELECT correlation_id, status FROM payments")
            .await
            .into_iter()
            .collect();
    let none = || "none".to_owned();
    let each: String = waiting
        .iter()
        .take(10)
        .map(|id| {
            format!(
                "\n  {id}: order {}, reservation {}, payment {}",
                orders.get(*id).map_or_else(none, |(s, _)| s.clone()),
                reservations.get(*id).cloned().unwrap_or_else(none),
                payments.get(*id).cloned().unwrap_or_else(none),
            )
        })
        .collect();
    format!(
        "events not yet published by the order, inventory and payment outboxes: {unpublished:?}{each}"
    )
}

/// What the invariants found, for the test to look at further.
pub struct Outcome {
    pub confirmed: HashSet<String>,
    pub rejected: HashSet<String>,
}

/// Waits until every id of `accepted` is final, then checks every invariant against the
/// three databases (read with SQL of the test's own) and the topics (read with a client
/// that joins no group). `initial` is the stock set before the run.
pub async fn assert_invariants(
    topics: &Topics,
    orders_db: &str,
    inventory_db: &str,
    payments_db: &str,
    accepted: &[String],
    initial: &BTreeMap<String, u64>,
) -> Outcome {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let statuses: HashMap<String, (String, String)> = loop {
        let rows: Vec<(String, String, String)> = sqlite_rows(
            orders_db,
            "SELECT correlation_id, status, items FROM orders",
        )
        .await;
        let rows: HashMap<_, _> = rows.into_iter().map(|(id, s, i)| (id, (s, i))).collect();
        let waiting: Vec<&String> = accepted
            .iter()
            .filter(|id| rows.get(*id).is_none_or(|(s, _)| s == "pending"))
            .collect();
        if waiting.is_empty() {
            break rows;
        }
        if std::time::Instant::now() > deadline {
            panic!(
                "{} accepted orders are not final after 120 s: {}",
                waiting.len(),
                where_they_wait(&waiting, &rows, [orders_db, inventory_db, payments_db]).await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Every order the order-service has, accepted by the test or not (a request that got
    // a 503 may have landed all the same): all final, and what the others hold agrees.
    let mut confirmed = HashSet::new();
    let mut rejected = HashSet::new();
    let mut sold: BTreeMap<String, u64> = BTreeMap::new();
    let all = eventually(
        "every order to be final",
        Duration::from_secs(120),
        || async {
            let rows: Vec<(String, String, String)> = sqlite_rows(
                orders_db,
                "SELECT correlation_id, status, items FROM orders",
            )
            .await;
            (!rows.iter().any(|(_, s, _)| s == "pending")).then_some(rows)
        },
    )
    .await;
    for (id, status, items) in &all {
        match status.as_str() {
            "confirmed" => {
                confirmed.insert(id.clone());
                let items: Vec<orders_core::OrderItem> = serde_json::from_str(items).unwrap();
                for item in items {
                    *sold.entry(item.sku).or_default() += item.quantity;
                }
            }
            "rejected" => {
                rejected.insert(id.clone());
            }
            other => panic!("order {id} is {other}"),
        }
    }
    assert!(accepted.iter().all(|id| statuses.contains_key(id)));

    // Stock conserved: what was there = what is available + what was sold, and nothing
    // is held any more; never negative (the column refuses it, and it is read as signed).
    type Rows = (Vec<(String, i64)>, Vec<(String, i64, String)>);
    let (stock, held): Rows = eventually(
        "every reservation to be settled",
        Duration::from_secs(60),
        || async {
            let held: Vec<(String, i64, String)> = sqlite_rows(
                inventory_db,
                "SELECT i.sku, i.units, r.status FROM reservation_items i \
                 JOIN reservations r ON r.correlation_id = i.correlation_id",
            )
            .await;
            let stock: Vec<(String, i64)> =
                sqlite_rows(inventory_db, "SELECT sku, available FROM stock").await;
            (!held.iter().any(|(_, _, status)| status == "reserved")).then_some((stock, held))
        },
    )
    .await;
    let mut committed: BTreeMap<String, u64> = BTreeMap::new();
    for (sku, units, status) in &held {
        if status == "committed" {
            *committed.entry(sku.clone()).or_default() += u64::try_from(*units).unwrap();
        }
    }
    for (sku, available) in &stock {
        assert!(*available >= 0, "{sku} went negative: {available}");
        let was = initial.get(sku).copied().unwrap_or(0);
        let now = u64::try_from(*available).unwrap();
        let out = committed.get(sku).copied().unwrap_or(0);
        assert_eq!(
            was,
            now + out,
            "{sku}: {was} at first, {now} available, {out} sold"
        );
        assert_eq!(
            out,
            sold.get(sku).copied().unwrap_or(0),
            "{sku}: units sold by the inventory and by the confirmed orders"
        );
    }

    // At most one charge per order (the key), every confirmed order charged, no charge
    // standing for a rejected order.
    let payments: Vec<(String, String)> =
        sqlite_rows(payments_db, "SELECT correlation_id, status FROM payments").await;
    let charged: HashSet<String> = payments
        .iter()
        .filter(|(_, status)| status == "completed")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(
        charged, confirmed,
        "completed payments are exactly the confirmed orders"
    );

    // Exactly one announcement per order, agreeing with its state.
    let pipeline = topics.pipeline();
    let count_keys = |records: Vec<orders_kafka::ReceivedRecord>| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for record in records {
            *counts.entry(record.key_text().into_owned()).or_default() += 1;
        }
        counts
    };
    // The outbox publishes a moment after the state it announces is stored.
    let (confirmations, rejections) = eventually(
        "an announcement for every final order",
        Duration::from_secs(60),
        || async {
            let confirmations = records(topics, pipeline.of(EventKind::OrderConfirmed)).await;
            let rejections = records(topics, pipeline.of(EventKind::OrderRejected)).await;
            (confirmations.len() + rejections.len() >= all.len())
                .then_some((confirmations, rejections))
        },
    )
    .await;
    let announced_confirmed = count_keys(confirmations);
    let announced_rejected = count_keys(rejections);
    for (id, _, _) in &all {
        let expected = if confirmed.contains(id) {
            (1, 0)
        } else {
            (0, 1)
        };
        let found = (
            announced_confirmed.get(id).copied().unwrap_or(0),
            announced_rejected.get(id).copied().unwrap_or(0),
        );
        assert_eq!(
            found, expected,
            "{id}: (order_confirmed, order_rejected) records"
        );
    }
    Outcome {
        confirmed,
        rejected,
    }
}

impl Saga {
    async fn check(&self, accepted: &[String], initial: &[(&str, u64)]) -> Outcome {
        let initial: BTreeMap<String, u64> =
            initial.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect();
        let outcome = assert_invariants(
            &self.topics,
            &self.orders.database_url,
            &self.inventory.database_url,
            &self.payment.database_url,
            accepted,
            &initial,
        )
        .await;
        let pipeline = self.topics.pipeline();
        for consumer in [
            Consumer::OrderService,
            Consumer::Inventory,
            Consumer::Payment,
        ] {
            assert_eq!(
                self.topics.count(pipeline.dead_letters(consumer)).await,
                0,
                "nothing valid is dead-lettered ({consumer:?})"
            );
        }
        outcome
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_with_stock_and_a_payment_is_confirmed_once_and_the_stock_is_taken() {
    let stock = [("SKU-1", 10), ("SKU-2", 3)];
    let saga = saga(2, &stock, SimulatedPolicy::default()).await;
    order(
        &saga.gateway,
        "happy-1",
        json!([{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 3}]),
        42.5,
    )
    .await;
    let order = final_order(&saga.orders, "happy-1").await;
    assert_eq!(order["status"], "confirmed", "{order}");
    let steps: Vec<&str> = order["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["pending", "confirmed"], "{order}");
    assert_eq!(order["history"][1]["event"], "payment_completed");

    let (_, stock_now) = get_json(&saga.inventory.url("/stock")).await;
    assert_eq!(
        stock_now["stock"],
        json!([
            {"sku": "SKU-1", "available": 8, "reserved": 0, "sold": 2},
            {"sku": "SKU-2", "available": 0, "reserved": 0, "sold": 3},
        ])
    );
    let (status, payment) = get_json(&saga.payment.url("/payments/happy-1")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (payment["status"].as_str(), payment["amount"].as_f64()),
        (Some("completed"), Some(42.5))
    );
    saga.check(&["happy-1".to_owned()], &stock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_stock_an_unknown_sku_and_a_declined_payment_are_rejected_with_why() {
    let stock = [("SKU-1", 5)];
    let policy = SimulatedPolicy {
        decline_over: Some(1_000.0),
        ..SimulatedPolicy::default()
    };
    let saga = saga(2, &stock, policy).await;
    // Alone first: the others would take from the stock it is measured against.
    order(
        &saga.gateway,
        "short-1",
        json!([{"sku": "SKU-1", "quantity": 6}]),
        6.0,
    )
    .await;
    let short = final_order(&saga.orders, "short-1").await;
    order(
        &saga.gateway,
        "unknown-1",
        json!([{"sku": "SKU-1", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]),
        2.0,
    )
    .await;
    order(
        &saga.gateway,
        "declined-1",
        json!([{"sku": "SKU-1", "quantity": 4}]),
        5_000.0,
    )
    .await;

    assert_eq!(short["status"], "rejected");
    assert_eq!(
        short["reason"],
        "out_of_stock: SKU-1: 6 requested, 5 available"
    );
    let unknown = final_order(&saga.orders, "unknown-1").await;
    assert!(
        unknown["reason"]
            .as_str()
            .unwrap()
            .starts_with("unknown_sku: NOPE: 1 requested, not in the inventory"),
        "{unknown}"
    );
    let declined = final_order(&saga.orders, "declined-1").await;
    assert_eq!(declined["reason"], "payment_declined: declined_over_limit");

    // The declined order's units were held, then given back.
    let released = eventually(
        "the declined order's units to go back",
        Duration::from_secs(30),
        || async {
            let (_, r) = get_json(&saga.inventory.url("/reservations/declined-1")).await;
            (r["status"] == "released").then_some(r)
        },
    )
    .await;
    assert_eq!(released["items"], json!({"SKU-1": 4}));
    let pipeline = saga.topics.pipeline();
    let rejected = at_least(&saga.topics, pipeline.of(EventKind::OrderRejected), 3).await;
    let stage = |id: &str| {
        rejected
            .iter()
            .find(|r| r.key_text() == id)
            .and_then(|r| serde_json::from_slice::<Value>(r.value.as_deref()?).ok())
            .map(|v| (v["stage"].clone(), v["reason"].clone()))
    };
    assert_eq!(
        stage("short-1"),
        Some((json!("inventory"), json!("out_of_stock")))
    );
    assert_eq!(
        stage("unknown-1"),
        Some((json!("inventory"), json!("unknown_sku")))
    );
    assert_eq!(
        stage("declined-1"),
        Some((json!("payment"), json!("payment_declined")))
    );
    assert_eq!(
        at_least(&saga.topics, pipeline.of(EventKind::InventoryReleased), 1)
            .await
            .len(),
        1
    );
    let ids = ["short-1", "unknown-1", "declined-1"].map(str::to_owned);
    let outcome = saga.check(&ids, &stock).await;
    assert!(outcome.confirmed.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_orders_on_limited_stock_with_declines_keep_every_invariant() {
    const ORDERS: usize = 2_000;
    // Enough for about a third of the orders: SKU-1 is in every one of them.
    let stock = [("SKU-1", 1_000), ("SKU-2", 500), ("SKU-3", 270)];
    let policy = SimulatedPolicy {
        decline_rate: 0.2,
        seed: 7,
        ..SimulatedPolicy::default()
    };
    let saga = saga(3, &stock, policy).await;
    let mut accepted = Vec::new();
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..ORDERS {
        let url = saga.gateway.url("/orders");
        let id = format!("many-{i:04}");
        accepted.push(id.clone());
        let items = json!([
            {"sku": format!("SKU-{}", 1 + i % 3), "quantity": 1 + (i % 2) as u64},
            {"sku": "SKU-1", "quantity": 1},
        ]);
        sends.spawn(async move {
            let response = http()
                .post(url)
                .header("x-correlation-id", &id)
                .json(&json!({"customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf", "items": items, "totalAmount": 10}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202, "{id}");
        });
        if sends.len() >= 32 {
            sends.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(sent) = sends.join_next().await {
        sent.unwrap();
    }
    let outcome = saga.check(&accepted, &stock).await;
    assert!(!outcome.confirmed.is_empty() && !outcome.rejected.is_empty());
}

/// Produces `value` under `key` to `topic`, as any other client would.
async fn produce(topics: &Topics, topic: &str, key: &str, value: Value) {
    topics
        .producer()
        .publish_record(&Record {
            topic: topic.to_owned(),
            key: Some(key.as_bytes().to_vec()),
            value: Some(value.to_string().into_bytes()),
            ..Record::default()
        })
        .await
        .unwrap();
}

fn created(id: &str, sku: &str, quantity: u64) -> Value {
    json!({"correlationId": id, "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
           "items": [{"sku": sku, "quantity": quantity}], "totalAmount": 10,
           "createdAt": "2025-12-05T21:15:00.000Z"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_before_their_order_and_twice_give_the_same_final_states() {
    let topics = Topics::create(2).await;
    let pipeline = topics.pipeline();
    let orders = spawn_consumer(&topics).await;
    let paid = json!({"correlationId": "late-paid", "paymentId": "pay_1", "amount": 10,
                      "completedAt": "2025-12-05T21:15:01.000Z"});
    let short = json!({"correlationId": "late-short", "reason": "out_of_stock",
                       "shortages": [{"sku": "SKU-1", "requested": 1, "available": 0}],
                       "rejectedAt": "2025-12-05T21:15:01.000Z"});
    // Outcomes first, each twice; the orders after, twice too.
    for _ in 0..2 {
        produce(
            &topics,
            pipeline.of(EventKind::PaymentCompleted),
            "late-paid",
            paid.clone(),
        )
        .await;
        produce(
            &topics,
            pipeline.of(EventKind::InventoryRejected),
            "late-short",
            short.clone(),
        )
        .await;
    }
    // Counted once applied: stored (`outcomes`) or found to be a repeat.
    let applied = |stats: &Value, a: &str, b: &str| {
        stats[a].as_u64().unwrap_or(0) + stats[b].as_u64().unwrap_or(0)
    };
    let held = eventually(
        "all four outcomes to be applied",
        Duration::from_secs(30),
        || async {
            let (_, stats) = get_json(&orders.url("/stats")).await;
            (applied(&stats, "outcomes", "duplicateOutcomes") == 4).then_some(stats)
        },
    )
    .await;
    assert_eq!(
        (&held["held"], &held["duplicateOutcomes"]),
        (&json!(2), &json!(2)),
        "{held}"
    );
    for _ in 0..2 {
        for id in ["late-paid", "late-short"] {
            produce(&topics, &topics.topic, id, created(id, "SKU-1", 1)).await;
        }
    }
    let paid_order = final_order(&orders, "late-paid").await;
    assert_eq!(paid_order["status"], "confirmed");
    let short_order = final_order(&orders, "late-short").await;
    assert_eq!(short_order["status"], "rejected");
    assert_eq!(
        short_order["reason"],
        "out_of_stock: SKU-1: 1 requested, 0 available"
    );
    for order in [&paid_order, &short_order] {
        let steps: Vec<&str> = order["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["to"].as_str().unwrap())
            .collect();
        assert_eq!(steps[0], "pending", "{order}");
        assert_eq!(steps.len(), 2, "{order}");
    }
    let stats = eventually(
        "all four orders to be applied",
        Duration::from_secs(30),
        || async {
            let (_, stats) = get_json(&orders.url("/stats")).await;
            (applied(&stats, "created", "duplicates") == 4).then_some(stats)
        },
    )
    .await;
    assert_eq!(
        (stats["created"].as_u64(), stats["duplicates"].as_u64()),
        (Some(2), Some(2)),
        "{stats}"
    );
    assert_eq!(
        at_least(&topics, pipeline.of(EventKind::OrderConfirmed), 1)
            .await
            .len(),
        1
    );
    assert_eq!(
        at_least(&topics, pipeline.of(EventKind::OrderRejected), 1)
            .await
            .len(),
        1
    );
    assert_eq!(topics.count(&topics.dead_letters).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_payment_before_its_order_releases_what_the_order_reserves() {
    let topics = Topics::create(2).await;
    let pipeline = topics.pipeline();
    let inventory = spawn_inventory(&topics, &[("SKU-1", 5)]).await;
    let failed = json!({"correlationId": "early-fail", "reason": "declined", "amount": 10,
                        "failedAt": "2025-12-05T21:15:01.000Z"});
    produce(
        &topics,
        pipeline.of(EventKind::PaymentFailed),
        "early-fail",
        failed.clone(),
    )
    .await;
    produce(
        &topics,
        pipeline.of(EventKind::PaymentFailed),
        "early-fail",
        failed,
    )
    .await;
    for _ in 0..2 {
        produce(
            &topics,
            &topics.topic,
            "early-fail",
            created("early-fail", "SKU-1", 4),
        )
        .await;
    }
    let reservation = eventually(
        "the reservation to be released",
        Duration::from_secs(30),
        || async {
            let (_, r) = get_json(&inventory.url("/reservations/early-fail")).await;
            (r["status"] == "released").then_some(r)
        },
    )
    .await;
    assert_eq!(reservation["items"], json!({"SKU-1": 4}));
    let (_, stock) = get_json(&inventory.url("/stock")).await;
    assert_eq!(stock["stock"][0]["available"], 5, "{stock}");
    assert_eq!(
        at_least(&topics, pipeline.of(EventKind::InventoryReserved), 1)
            .await
            .len(),
        1
    );
    assert_eq!(
        at_least(&topics, pipeline.of(EventKind::InventoryReleased), 1)
            .await
            .len(),
        1
    );
    assert_eq!(
        topics
            .count(pipeline.dead_letters(Consumer::Inventory))
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_inventory_services_on_one_postgres_database_never_oversell() {
    const ORDERS: usize = 240;
    const UNITS: u64 = 100;
    let topics = Topics::create(4).await;
    let pipeline = topics.pipeline();
    let db = crate::scale::Database::create("orders_test_inventory").await;
    let first = spawn_inventory_on(&topics, &db.url, &[("SKU-1", UNITS)]).await;
    let second = spawn_inventory_on(&topics, &db.url, &[]).await;
    // Both in the group before anything is produced, so that both get partitions to work.
    let group = format!("{}-inventory", topics.group);
    eventually(
        "both inventory-services in their group",
        Duration::from_secs(60),
        || async {
            let lag = orders_kafka::lag::group_lag(
                &topics.kafka,
                &group,
                &topics.topic,
                Duration::from_secs(5),
            )
            .await
            .ok()?;
            (lag.members.len() == 2 && lag.state == "Stable").then_some(())
        },
    )
    .await;
    let producer = topics.producer();
    let sends = (0..ORDERS).map(|i| {
        let id = format!("contended-{i:04}");
        let record = Record {
            topic: topics.topic.clone(),
            key: Some(id.as_bytes().to_vec()),
            value: Some(created(&id, "SKU-1", 1).to_string().into_bytes()),
            ..Record::default()
        };
        let producer = producer.clone();
        async move { producer.publish_record(&record).await.unwrap() }
    });
    futures::future::join_all(sends).await;
    let rows: i64 = eventually(
        "every order to have its reservation",
        Duration::from_secs(60),
        || async {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM reservations")
                .fetch_one(&db.pool)
                .await
                .unwrap_or(0);
            (n == ORDERS as i64).then_some(n)
        },
    )
    .await;
    assert_eq!(rows, ORDERS as i64);
    let (reserved, available): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM reservations WHERE status = 'reserved'), \
         (SELECT available FROM stock WHERE sku = 'SKU-1')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((reserved, available), (UNITS as i64, 0));
    let announced = eventually(
        "every decision to be published",
        Duration::from_secs(60),
        || async {
            let r = records(&topics, pipeline.of(EventKind::InventoryReserved))
                .await
                .len();
            let j = records(&topics, pipeline.of(EventKind::InventoryRejected))
                .await
                .len();
            (r + j == ORDERS).then_some((r, j))
        },
    )
    .await;
    assert_eq!(announced, (UNITS as usize, ORDERS - UNITS as usize));
    // Both instances did work: the consumer group split the partitions between them.
    for service in [&first, &second] {
        let (_, stats) = get_json(&service.url("/stats")).await;
        assert!(stats["received"].as_u64().unwrap() > 0, "{stats}");
    }
}

/// Waits until the load has sent at least `n` orders.
async fn sent_at_least(sent: &std::sync::atomic::AtomicU64, n: u64) {
    eventually(
        &format!("{n} orders sent"),
        Duration::from_secs(120),
        || async { (sent.load(std::sync::atomic::Ordering::SeqCst) >= n).then_some(()) },
    )
    .await;
}

/// What a relay that restarts uncertain asks the broker: which of its events are on the
/// topic already, and where. Found by the `event-id` header on every partition, from the
/// offsets asked for, and nothing that was never published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_finds_its_published_events_on_the_topic_by_event_id() {
    use orders_kafka::published::{find_events, watermarks};
    use orders_kafka::topics::EVENT_ID_HEADER;
    let topics = Topics::create(3).await;
    let producer = topics.producer();
    let mut positions = HashMap::new();
    for i in 0..12 {
        let mut headers = Vec::new();
        if i % 4 != 3 {
            headers.push((EVENT_ID_HEADER.to_owned(), format!("e-{i}").into_bytes()));
        }
        let record = Record {
            topic: topics.topic.clone(),
            partition: Some(i % 3),
            key: Some(format!("k-{i}").into_bytes()),
            value: Some(b"{}".to_vec()),
            headers,
        };
        let published = producer.publish_record(&record).await.unwrap();
        positions.insert(format!("e-{i}"), (published.partition, published.offset));
    }
    let timeout = Duration::from_secs(10);

    let ends = watermarks(&topics.kafka, &topics.topic, timeout)
        .await
        .unwrap();
    let mut ends: Vec<_> = ends.into_iter().map(|(p, _, high)| (p, high)).collect();
    ends.sort();
    assert_eq!(ends, vec![(0, 4), (1, 4), (2, 4)]);

    // From the start of partitions 0 and 1, and past the first two records of 2.
    let wanted: HashSet<String> = ["e-0", "e-2", "e-3", "e-5", "e-4", "e-10", "e-99"]
        .map(String::from)
        .into();
    let from = vec![(0, 0), (1, 0), (2, 2)];
    let found = find_events(&topics.kafka, &topics.topic, from, wanted, timeout)
        .await
        .unwrap();
    let mut found: Vec<_> = found
        .into_iter()
        .map(|(id, at)| {
            assert_eq!(at.topic, topics.topic);
            (id, (at.partition, at.offset))
        })
        .collect();
    found.sort();
    // e-2 and e-5 are on partition 2 before offset 2; e-3 has no header; e-99 never was.
    let expected: Vec<_> = ["e-0", "e-10", "e-4"]
        .map(|id| (id.to_owned(), positions[id]))
        .into();
    assert_eq!(found, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_saga_service_killed_three_times_and_a_broker_restart_lose_and_double_nothing() {
    use crate::process::{Launch, send_orders};
    use std::sync::Arc;
    use std::sync::atomic::AtomicU64;

    const ORDERS: u64 = 1_200;
    // Enough for about two thirds of the orders (each takes 2 units of SKU-1).
    let stock = [("SKU-1", 1_600)];
    let broker_dir = tempfile::tempdir().unwrap();
    let mut broker = crate::helpers::durable_broker(broker_dir.path()).await;
    let topics = Topics::create_on(&broker.bootstrap_servers(), 3).await;
    let dir = tempfile::tempdir().unwrap();
    let db = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let (orders_db, inventory_db, payments_db) =
        (db("orders.db"), db("inventory.db"), db("payments.db"));
    let inventory_store =
        orders_store::inventory::connect(&inventory_db, orders_store::StoreOptions::default())
            .await
            .unwrap();
    inventory_store
        .set_stock(&[("SKU-1".to_owned(), 1_600)])
        .await
        .unwrap();
    inventory_store.close().await;

    let logs = dir.path();
    let gateway = Launch::gateway(&topics, &[])
        .start(logs, &[("RUST_LOG", "info,librdkafka=warn")])
        .await;
    let mut services = [
        Launch::consumer(&topics, &orders_db, &[])
            .start(logs, &[("RUST_LOG", "info,librdkafka=warn")])
            .await,
        Launch::saga_service("serve-inventory", &topics, &inventory_db, &[])
            .start(logs, &[("RUST_LOG", "info,librdkafka=warn")])
            .await,
        Launch::saga_service(
            "serve-payment",
            &topics,
            &payments_db,
            &["--decline-rate", "0.2", "--seed", "3"],
        )
        .start(logs, &[])
        .await,
    ];

    let sent = Arc::new(AtomicU64::new(0));
    let load = tokio::spawn(send_orders(
        gateway.url(""),
        "crash",
        ORDERS,
        8,
        sent.clone(),
    ));
    for round in 1..=3 {
        for (i, service) in services.iter_mut().enumerate() {
            sent_at_least(&sent, round * 240 + i as u64 * 60).await;
            service.kill().await;
            service.restart().await;
        }
    }
    sent_at_least(&sent, 1_000).await;
    // Kept to the end: dropping a broker stops it.
    let _broker = tokio::task::spawn_blocking(move || {
        broker.kill();
        broker.restart().unwrap();
        broker
    })
    .await
    .unwrap();
    let ledger = load.await.unwrap();
    assert!(
        ledger.accepted.len() as u64 >= ORDERS / 2,
        "most orders are accepted: {} of {ORDERS}, others {:?}",
        ledger.accepted.len(),
        ledger.others
    );
    let initial = stock.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect();
    let outcome = assert_invariants(
        &topics,
        &orders_db,
        &inventory_db,
        &payments_db,
        &ledger.accepted,
        &initial,
    )
    .await;
    assert!(!outcome.confirmed.is_empty() && !outcome.rejected.is_empty());
    let pipeline = topics.pipeline();
    for consumer in [
        Consumer::OrderService,
        Consumer::Inventory,
        Consumer::Payment,
    ] {
        assert_eq!(
            topics.count(pipeline.dead_letters(consumer)).await,
            0,
            "nothing valid is dead-lettered ({consumer:?}); logs:\n{}",
            services
                .iter()
                .map(|s| s.log_tail())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
