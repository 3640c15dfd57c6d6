//! Fault tests: real processes killed and restarted under load, a broker that crashes, a
//! database that is locked, poison records. Each keeps a ledger of every order the
//! gateway accepted (202) and checks the database at the end: every one persisted exactly
//! once. Run them alone with `cargo test -p orders-cli --test integration faults::`.

use crate::helpers::*;
use crate::process::*;
use orders_kafka::Record;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const PERSIST_TIMEOUT: Duration = Duration::from_secs(120);

async fn sent_at_least(sent: &AtomicU64, n: u64) {
    eventually(
        &format!("{n} orders to be sent"),
        Duration::from_secs(180),
        || async { (sent.load(Ordering::SeqCst) >= n).then_some(()) },
    )
    .await;
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("orders.db").display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_survives_an_order_service_killed_three_times() {
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let gateway = spawn_gateway(&topics).await;
    let mut consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;

    let sent = Arc::new(AtomicU64::new(0));
    let load = tokio::spawn(send_orders(
        gateway.url(""),
        "killed",
        5_000,
        32,
        sent.clone(),
    ));
    for round in 1..=3 {
        sent_at_least(&sent, round * 1_200).await;
        consumer.kill().await;
        consumer.restart().await;
    }
    let ledger = load.await.unwrap();
    assert_eq!(
        ledger.accepted.len(),
        5_000,
        "answers other than 202: {:?}",
        ledger.others
    );
    assert_each_persisted_once(&database, &ledger.accepted, PERSIST_TIMEOUT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_crash_gets_503s_not_500s_and_the_gateway_recovers_by_itself() {
    let broker_dir = tempfile::tempdir().unwrap();
    let mut broker = crate::helpers::durable_broker(broker_dir.path()).await;
    let topics = Topics::create_on(&broker.bootstrap_servers(), 3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let mut gateway = Process::gateway(
        &topics,
        dir.path(),
        &["--publish-timeout", "3s", "--request-timeout", "6s"],
    )
    .await;
    let _consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;

    let sent = Arc::new(AtomicU64::new(0));
    let load = tokio::spawn(send_orders(
        gateway.url(""),
        "crash",
        2_000,
        16,
        sent.clone(),
    ));
    sent_at_least(&sent, 400).await;
    broker = tokio::task::spawn_blocking(move || {
        broker.kill();
        broker
    })
    .await
    .unwrap();
    // Down long enough for requests in flight to run out their publish deadline.
    let at_kill = sent.load(Ordering::SeqCst);
    sent_at_least(&sent, at_kill + 16).await;
    broker = tokio::task::spawn_blocking(move || {
        broker.restart().unwrap();
        broker
    })
    .await
    .unwrap();
    let ledger = load.await.unwrap();

    let unexpected: Vec<_> = ledger.others.keys().filter(|s| **s != 503).collect();
    assert!(
        unexpected.is_empty(),
        "only 202 or 503 were expected, got {:?}",
        ledger.others
    );
    assert!(
        ledger.others.get(&503).copied().unwrap_or(0) > 0,
        "the crash should have cost some 503s"
    );
    assert!(
        ledger.slowest < Duration::from_secs(7),
        "an answer took {:?}",
        ledger.slowest
    );
    // Recovered without a restart: the same gateway process accepts orders again.
    let after = send_orders(gateway.url(""), "after-crash", 100, 8, Arc::default()).await;
    assert_eq!(
        after.accepted.len(),
        100,
        "after the broker came back: {:?}",
        after.others
    );
    assert!(gateway.is_running());

    let mut accepted = ledger.accepted;
    accepted.extend(after.accepted);
    assert_each_persisted_once(&database, &accepted, PERSIST_TIMEOUT).await;
    drop(broker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_records_go_to_the_dead_letter_topic_and_the_valid_ones_are_persisted() {
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let mut consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;
    let pid = consumer.pid();

    let producer = topics.producer();
    let poison: [&[u8]; 4] = [
        b"{not json",
        b"\xff\xfe\x00",
        br#"{"correlationId":"x"}"#,
        b"",
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1_000usize {
        for (kind, value) in [
            ("good", event_json(&format!("good-{i}")).into_bytes()),
            ("bad", poison[i % 4].to_vec()),
        ] {
            let record = Record {
                topic: topics.topic.clone(),
                key: Some(format!("{kind}-{i}").into_bytes()),
                value: Some(value),
                headers: vec![("source".into(), b"another-client".to_vec())],
                ..Record::default()
            };
            let producer = producer.clone();
            tasks.spawn(async move { producer.publish_record(&record).await.unwrap() });
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }

    let good: Vec<String> = (0..1_000).map(|i| format!("good-{i}")).collect();
    assert_each_persisted_once(&database, &good, PERSIST_TIMEOUT).await;
    let dead = topics.read(&topics.dead_letters, 1_000).await;
    assert_eq!(topics.count(&topics.dead_letters).await, 1_000);
    for record in &dead {
        let key = String::from_utf8(record.key.clone().unwrap()).unwrap();
        assert!(
            key.starts_with("bad-"),
            "a valid event was dead-lettered: {key}"
        );
        assert_eq!(
            record.header("source"),
            Some(&b"another-client"[..]),
            "original headers kept"
        );
        assert_eq!(
            record.header("dlt-original-topic"),
            Some(topics.topic.as_bytes())
        );
        assert_eq!(
            record.header("dlt-consumer-group"),
            Some(topics.group.as_bytes())
        );
        for header in [
            "dlt-original-partition",
            "dlt-original-offset",
            "dlt-original-timestamp",
            "dlt-error-message",
        ] {
            assert!(
                record.header(header).is_some_and(|v| !v.is_empty()),
                "{header} missing on {key}"
            );
        }
        let kind = record.header("dlt-error-kind").unwrap();
        assert!(
            [&b"not_json"[..], b"not_utf8", b"contract_violation"].contains(&kind),
            "{key}"
        );
    }
    assert!(consumer.is_running());
    assert_eq!(consumer.pid(), pid, "the order-service was never restarted");
    let (_, stats) = get_json(&consumer.url("/stats")).await;
    assert_eq!(
        (stats["created"].as_u64(), stats["rejected"].as_u64()),
        (Some(1_000), Some(1_000)),
        "{stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_is_waited_out_and_nothing_is_dead_lettered() {
    use sqlx::Connection;
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let gateway = spawn_gateway(&topics).await;
    let consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;

    let mut lock = sqlx::SqliteConnection::connect(&database).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut lock)
        .await
        .unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let load = tokio::spawn(send_orders(
        gateway.url(""),
        "locked",
        1_000,
        16,
        sent.clone(),
    ));
    until_retrying(&consumer).await;
    sent_at_least(&sent, 500).await;
    sqlx::query("COMMIT").execute(&mut lock).await.unwrap();
    lock.close().await.unwrap();

    let ledger = load.await.unwrap();
    assert_outage_lost_nothing(&topics, &consumer, &database, &ledger, 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_the_gateway_under_load_exits_zero_and_loses_no_accepted_order() {
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let mut gateway = Process::gateway(&topics, dir.path(), &[]).await;
    let service = spawn_consumer_on(&topics, &database).await;

    let sent = Arc::new(AtomicU64::new(0));
    let load = tokio::spawn(send_orders(
        gateway.url(""),
        "sigterm",
        3_000,
        32,
        sent.clone(),
    ));
    sent_at_least(&sent, 1_000).await;
    let status = gateway.terminate(Duration::from_secs(15)).await;
    assert!(
        status.success(),
        "the gateway exited with {status}:\n{}",
        gateway.log_tail()
    );
    let ledger = load.await.unwrap();
    assert!(
        ledger.accepted.len() >= 1_000,
        "{} accepted",
        ledger.accepted.len()
    );
    assert!(
        ledger.others.keys().all(|s| *s == 0 || *s == 503),
        "{:?}",
        ledger.others
    );
    assert_each_persisted_once(&database, &ledger.accepted, PERSIST_TIMEOUT).await;
    drop(service);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_to_the_order_service_commits_its_offsets_and_exits_zero() {
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let mut consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;
    let ids: Vec<String> = (0..300).map(|i| format!("term-{i}")).collect();
    for id in &ids {
        topics.produce(id, event_json(id).as_bytes()).await;
    }
    assert_each_persisted_once(&database, &ids, PERSIST_TIMEOUT).await;
    let status = consumer.terminate(Duration::from_secs(15)).await;
    assert!(status.success(), "exit {status}:\n{}", consumer.log_tail());

    topics
        .produce("term-after", event_json("term-after").as_bytes())
        .await;
    consumer.restart().await;
    assert_each_persisted_once(&database, &["term-after".to_owned()], PERSIST_TIMEOUT).await;
    let (_, stats) = get_json(&consumer.url("/stats")).await;
    assert_eq!(
        stats["received"], 1,
        "the restarted service re-read committed events: {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_retrying_with_the_same_correlation_id_gets_one_order() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    for _ in 0..3 {
        let response = post_order(&gateway.url("/orders"), "retried-1").await;
        assert_eq!(response.status(), 202);
    }
    topics
        .produce("sentinel", event_json("sentinel").as_bytes())
        .await;
    persisted(&service, "sentinel").await;
    assert_eq!(
        topics.count(&topics.topic).await,
        4,
        "three publishes of the same order, one sentinel"
    );
    let (_, stats) = get_json(&service.url("/stats")).await;
    assert_eq!(
        (stats["created"].as_u64(), stats["duplicates"].as_u64()),
        (Some(2), Some(2)),
        "{stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_producer_queue_is_a_quick_503_with_retry_after() {
    let mut topics = Topics::create(1).await;
    topics.kafka.brokers = format!("127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let gateway = Process::gateway(
        &topics,
        dir.path(),
        &["-X", "queue.buffering.max.messages=4"],
    )
    .await;

    let started = std::time::Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let url = gateway.url("/orders");
        requests.spawn(async move {
            let response = http().post(url).json(&order_body()).send().await.unwrap();
            (
                response.status().as_u16(),
                response.headers().get("retry-after").cloned(),
                std::time::Instant::now(),
            )
        });
    }
    let mut quick = 0;
    while let Some(answer) = requests.join_next().await {
        let (status, retry_after, at) = answer.unwrap();
        assert_eq!(status, 503);
        assert!(retry_after.is_some());
        if at.duration_since(started) < Duration::from_secs(2) {
            quick += 1;
        }
    }
    assert!(
        quick >= 8,
        "only {quick} of 12 were refused at once; the rest waited for the deadline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_is_waited_out_and_nothing_is_dead_lettered() {
    let postgres = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .unwrap();
    let database = postgres.url();
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = spawn_gateway(&topics).await;
    let consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;

    let sent = Arc::new(AtomicU64::new(0));
    let load = tokio::spawn(send_orders(
        gateway.url(""),
        "pg-down",
        1_500,
        16,
        sent.clone(),
    ));
    sent_at_least(&sent, 300).await;
    let postgres = tokio::task::spawn_blocking(move || {
        postgres.down();
        postgres
    })
    .await
    .unwrap();
    until_retrying(&consumer).await;
    sent_at_least(&sent, 900).await;
    let postgres = tokio::task::spawn_blocking(move || {
        postgres.up();
        postgres
    })
    .await
    .unwrap();

    let ledger = load.await.unwrap();
    assert_outage_lost_nothing(&topics, &consumer, &database, &ledger, 1_500).await;
    drop(postgres);
}

/// Waits until the order-service says, on `/readyz`, that it is retrying a failed write.
async fn until_retrying(consumer: &Process) {
    let readyz = consumer.url("/readyz");
    eventually(
        "the order-service to report it is retrying",
        Duration::from_secs(60),
        || async {
            let (status, body) = get_json(&readyz).await;
            (status == 503 && body["error"].as_str().unwrap_or("").contains("retrying"))
                .then_some(())
        },
    )
    .await;
}

/// After a database outage: every 202 persisted once, nothing dead-lettered, the
/// retries counted, and the order-service ready again without a restart.
async fn assert_outage_lost_nothing(
    topics: &Topics,
    consumer: &Process,
    database: &str,
    ledger: &Ledger,
    orders: usize,
) {
    assert_eq!(ledger.accepted.len(), orders, "{:?}", ledger.others);
    assert_each_persisted_once(database, &ledger.accepted, PERSIST_TIMEOUT).await;
    assert_eq!(
        topics.count(&topics.dead_letters).await,
        0,
        "nothing may be dead-lettered for an outage"
    );
    let (_, stats) = get_json(&consumer.url("/stats")).await;
    assert!(stats["retries"].as_u64().unwrap() > 0, "{stats}");
    let readyz = consumer.url("/readyz");
    eventually(
        "the order-service to be ready again",
        Duration::from_secs(60),
        || async { (get_json(&readyz).await.0 == 200).then_some(()) },
    )
    .await;
}
