//! Scale-out on Postgres: several `orders serve-consumer` processes sharing one database
//! and one consumer group, members joining and leaving under load, `orders lag` against
//! a group that is behind, `orders db migrate`, and two nisshi brokers on one Postgres
//! storage database with one of them killed under load.
//!
//! The order-services run as real processes (the `orders` binary), so a member leaves
//! the way it does in production: SIGTERM, or SIGKILL. Each test gets its own database
//! on the shared server (127.0.0.1:5432), dropped at the end, and its own topics and
//! group. Nothing waits on a sleep: every wait polls a condition with a deadline.

use crate::helpers::{Topics, eventually, orders_bin, unique};
use orders_kafka::KafkaConfig;
use orders_kafka::lag::{GroupLag, group_lag};
use orders_kafka::reader::committed_offsets;
use orders_kafka::{KafkaPublisher, ProducerSettings, Record};
use serde_json::Value;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::process::{Child, Command};

const SERVER: &str = "postgres://postgres@127.0.0.1:5432";
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// A database of its own on the shared Postgres server, dropped when the test ends
/// (also when it panics).
pub(crate) struct Database {
    name: String,
    pub(crate) url: String,
    pub(crate) pool: PgPool,
}

impl Database {
    pub(crate) async fn create(prefix: &str) -> Self {
        let name = unique(prefix).replace('-', "_");
        let mut admin = PgConnection::connect(&format!("{SERVER}/postgres"))
            .await
            .expect("the shared Postgres server on 127.0.0.1:5432 is needed");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = format!("{SERVER}/{name}");
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect(&url)
            .await
            .unwrap();
        Self { name, url, pool }
    }

    /// Rows in `orders`, 0 while the order-services have not created the table yet.
    async fn count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM orders")
            .fetch_one(&self.pool)
            .await
            .unwrap_or(0)
    }

    /// Every order: correlation id -> (total amount, source partition, source offset).
    async fn orders(&self) -> HashMap<String, (f64, i32, i64)> {
        let rows: Vec<(String, f64, i32, i64)> = sqlx::query_as(
            "SELECT correlation_id, total_amount, source_partition, source_offset FROM orders",
        )
        .fetch_all(&self.pool)
        .await
        .unwrap();
        rows.into_iter()
            .map(|(id, total, partition, offset)| (id, (total, partition, offset)))
            .collect()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs where no async runtime can be borrowed; a thread of its own with a
        // small runtime does the DROP DATABASE, and is waited for. FORCE ends the
        // connections still open to it (the pool's, belonging to the test's runtime,
        // which this thread must not drive).
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut admin = PgConnection::connect(&format!("{SERVER}/postgres")).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        });
        if let Ok(Err(error)) = dropped.join() {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

/// `orders serve-consumer` as a child process, killed if the test drops it.
struct OrderServiceProcess {
    name: String,
    child: Child,
    log: PathBuf,
}

impl OrderServiceProcess {
    /// Starts an order-service named `name` (its `client.id`, which is how group
    /// listings name it) in `topics.group`, on `database_url`.
    fn start(
        name: &str,
        brokers: &str,
        topics: &Topics,
        database_url: &str,
        logs: &tempfile::TempDir,
    ) -> Self {
        let log = logs.path().join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(orders_bin());
        command
            .args([
                "serve-consumer",
                "--brokers",
                brokers,
                "--topic",
                &topics.topic,
                "--group",
                &topics.group,
                "--dead-letter-topic",
                &topics.dead_letters,
                "--database-url",
                database_url,
                "--admin-listen",
                "127.0.0.1:0",
            ])
            .env("KAFKA_CLIENT_ID", name)
            .env("RUST_LOG", "info,librdkafka=warn")
            .env("LOG_FORMAT", "pretty")
            .env_remove("KAFKA_BROKERS")
            .env_remove("KAFKA_BROKER")
            .env_remove("KAFKA_OPTIONS")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .kill_on_drop(true);
        let child = command.spawn().unwrap();
        Self {
            name: name.to_owned(),
            child,
            log,
        }
    }

    /// The last lines of its log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// SIGTERM, as an orchestrator stops a service, and waits for a clean exit.
    async fn terminate(mut self) {
        let pid = self.child.id().expect("the order-service already exited");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM {pid} failed");
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{} did not stop within 30 s of SIGTERM:\n{}",
                    self.name,
                    self.log_tail()
                )
            })
            .unwrap();
        assert!(
            exit.success(),
            "{} exited with {exit} after SIGTERM:\n{}",
            self.name,
            self.log_tail()
        );
    }

    /// SIGKILL, as a crash would.
    async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }

    /// Fails the test with the log if the process died on its own.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited on its own with {status}:\n{}",
                self.name,
                self.log_tail()
            );
        }
    }
}

/// The group as seen from outside it.
async fn describe(kafka: &KafkaConfig, topics: &Topics) -> GroupLag {
    group_lag(kafka, &topics.group, &topics.topic, METADATA_TIMEOUT)
        .await
        .unwrap()
}

/// The client ids of the group's members, sorted.
fn member_names(lag: &GroupLag) -> Vec<String> {
    let mut names: Vec<String> = lag.members.iter().map(|m| m.client_id.clone()).collect();
    names.sort();
    names
}

/// Waits until the group is stable with exactly the members named `names`.
async fn wait_for_members(kafka: &KafkaConfig, topics: &Topics, names: &[&str]) {
    let mut wanted: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    wanted.sort();
    eventually(
        &format!("group members {wanted:?}"),
        Duration::from_secs(45),
        || {
            let wanted = wanted.clone();
            async move {
                let lag = describe(kafka, topics).await;
                (lag.state == "Stable" && member_names(&lag) == wanted).then_some(())
            }
        },
    )
    .await;
}

/// An `order_created` value, as the gateway writes it, with a chosen total.
fn event(correlation_id: &str, total: u32) -> Vec<u8> {
    format!(
        r#"{{"correlationId":"{correlation_id}","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{{"sku":"SKU-1","quantity":2}}],"totalAmount":{total},"createdAt":"2025-12-05T21:15:00.000Z"}}"#
    )
    .into_bytes()
}

/// Publishes `records` (key, value) at once, pipelined, and returns each one's
/// (partition, offset) in the same order.
async fn publish_all(publisher: &KafkaPublisher, records: &[(String, Vec<u8>)]) -> Vec<Position> {
    let mut sends = tokio::task::JoinSet::new();
    for (i, (key, value)) in records.iter().enumerate() {
        let publisher = publisher.clone();
        let record = Record {
            topic: publisher.topic().to_owned(),
            key: Some(key.clone().into_bytes()),
            value: Some(value.clone()),
            ..Record::default()
        };
        sends.spawn(async move { (i, publisher.publish_record(&record).await) });
    }
    let mut positions = vec![(0, 0); records.len()];
    while let Some(joined) = sends.join_next().await {
        let (i, published) = joined.unwrap();
        let published = published.unwrap_or_else(|e| panic!("publishing {}: {e}", records[i].0));
        positions[i] = (published.partition, published.offset);
    }
    positions
}

/// Where a record landed: (partition, offset).
type Position = (i32, i64);

/// A committed offset that went down: (partition, before, after).
type Regression = (i32, i64, i64);

/// Samples the group's committed offsets every ~100 ms until `stop`, and returns every
/// time one moved backwards (partition, before, after) and how many samples were taken.
fn sample_commits(
    kafka: KafkaConfig,
    group: String,
    topic: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(Vec<Regression>, usize)> {
    tokio::spawn(async move {
        let mut last: BTreeMap<i32, i64> = BTreeMap::new();
        let mut backwards = Vec::new();
        let mut samples = 0;
        while !stop.load(Ordering::SeqCst) {
            if let Ok(offsets) = committed_offsets(&kafka, &group, &topic, METADATA_TIMEOUT).await {
                samples += 1;
                for (partition, offset) in offsets {
                    let Some(offset) = offset else { continue };
                    let before = last.insert(partition, offset);
                    if let Some(before) = before.filter(|&b| b > offset) {
                        backwards.push((partition, before, offset));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (backwards, samples)
    })
}

/// 20,000 orders through three order-service processes on one Postgres database, while
/// a fourth joins and one of the first three is stopped with SIGTERM.
///
/// The orders are published straight to the topic by a pipelined idempotent producer
/// (the gateway adds nothing here but HTTP), in chunks of 500 with a pause between
/// chunks, so that the publishing lasts several seconds and both rebalances happen
/// while records are flowing.
///
/// Per-key order: the store keeps the first event of a correlation id and sets later ones
/// with other content aside, so the only observable effect of order is which event wins.
/// Every tenth id gets a second event (another total) published one chunk after the
/// first, on the same partition and at a higher offset: if any member ever handled the
/// second before the first, the stored order would carry the second's total and offset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_consumers_a_joiner_and_a_leaver_persist_every_order_exactly_once() {
    const ORDERS: usize = 20_000;
    const CHUNK: usize = 500;
    let topics = Topics::create(6).await;
    let db = Database::create("orders_test_scale").await;
    let logs = tempfile::tempdir().unwrap();
    let kafka = topics.kafka.clone();
    let brokers = kafka.brokers.clone();
    let start = |name: &str| OrderServiceProcess::start(name, &brokers, &topics, &db.url, &logs);

    let mut a = start("order-service-a");
    let b = start("order-service-b");
    let mut c = start("order-service-c");
    wait_for_members(
        &kafka,
        &topics,
        &["order-service-a", "order-service-b", "order-service-c"],
    )
    .await;

    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = sample_commits(
        kafka.clone(),
        topics.group.clone(),
        topics.topic.clone(),
        stop_sampling.clone(),
    );

    // The publisher runs on its own task; the membership changes below follow its
    // progress.
    let published = Arc::new(AtomicUsize::new(0));
    let settings = ProducerSettings {
        delivery_timeout: Duration::from_secs(30),
        ..ProducerSettings::default()
    };
    let publisher = KafkaPublisher::new(&kafka, &topics.topic, &settings).unwrap();
    let publishing = tokio::spawn({
        let published = published.clone();
        async move {
            let id = |i: usize| format!("scale-{i:05}");
            // id -> (first event's position, second event's position)
            let mut pairs: HashMap<String, (Position, Option<Position>)> = HashMap::new();
            let mut seconds_due: Vec<String> = Vec::new();
            for chunk in 0..=ORDERS / CHUNK {
                let mut records: Vec<(String, Vec<u8>)> = seconds_due
                    .drain(..)
                    .map(|id| {
                        let value = event(&id, 200);
                        (id, value)
                    })
                    .collect();
                let seconds = records.len();
                let firsts = (chunk * CHUNK..((chunk + 1) * CHUNK).min(ORDERS)).map(id);
                records.extend(firsts.map(|id| {
                    let value = event(&id, 100);
                    (id, value)
                }));
                let positions = publish_all(&publisher, &records).await;
                for ((id, _), position) in records.iter().zip(&positions).take(seconds) {
                    pairs.get_mut(id).unwrap().1 = Some(*position);
                }
                for ((id, _), position) in records.iter().zip(&positions).skip(seconds) {
                    if id.ends_with('0') {
                        pairs.insert(id.clone(), (*position, None));
                        seconds_due.push(id.clone());
                    }
                }
                published.fetch_add(records.len() - seconds, Ordering::SeqCst);
                // Load shaping, not synchronisation: it spreads the load over the
                // membership changes.
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            publisher.flush(Duration::from_secs(10)).await.unwrap();
            pairs
        }
    });

    let progress = |at_least: usize| {
        let published = published.clone();
        move || {
            let published = published.clone();
            async move { (published.load(Ordering::SeqCst) >= at_least).then_some(()) }
        }
    };
    eventually(
        "5,000 orders published",
        Duration::from_secs(60),
        progress(5_000),
    )
    .await;
    let mut d = start("order-service-d");
    wait_for_members(
        &kafka,
        &topics,
        &[
            "order-service-a",
            "order-service-b",
            "order-service-c",
            "order-service-d",
        ],
    )
    .await;
    let joined_at = published.load(Ordering::SeqCst);
    eventually(
        "15,000 orders published",
        Duration::from_secs(60),
        progress(15_000),
    )
    .await;
    let left_at = published.load(Ordering::SeqCst);
    b.terminate().await;

    let pairs = publishing.await.unwrap();
    let done_at = db.count().await;
    eprintln!(
        "d joined after {joined_at} orders were published, b left after {left_at}; \
         {done_at} were persisted when the last one was published"
    );
    for process in [&mut a, &mut c, &mut d] {
        process.assert_running();
    }

    // Drained: every order is in the database and every offset is committed.
    eventually(
        "every order to be persisted and committed",
        Duration::from_secs(90),
        || async {
            let lag = describe(&kafka, &topics).await;
            (lag.total() == 0 && lag.has_committed()).then_some(())
        },
    )
    .await;
    stop_sampling.store(true, Ordering::SeqCst);
    let (backwards, samples) = sampler.await.unwrap();
    assert!(
        backwards.is_empty(),
        "committed offsets moved backwards (partition, before, after): {backwards:?}"
    );
    assert!(samples >= 20, "only {samples} samples of committed offsets");

    let orders = db.orders().await;
    assert_eq!(orders.len(), ORDERS, "orders persisted");
    for i in 0..ORDERS {
        let id = format!("scale-{i:05}");
        let Some(&(total, partition, offset)) = orders.get(&id) else {
            panic!("order {id} was not persisted");
        };
        if let Some(&(first, second)) = pairs.get(&id) {
            let second = second.unwrap();
            assert_eq!(first.0, second.0, "{id}: both events on one partition");
            assert!(first.1 < second.1, "{id}: the first event comes first");
            assert_eq!(
                (total, partition, offset),
                (100.0, first.0, first.1),
                "{id}: the order must come from its first event"
            );
        } else {
            assert_eq!(total, 100.0, "{id}");
        }
    }
    assert_eq!(pairs.len(), ORDERS / 10);
    // The second event of each pair reuses the id for another total: a conflicting
    // duplicate, set aside with its reason (more than once if a rebalance redelivered it
    // before its offset was committed), and nothing else.
    let dead = topics.count(&topics.dead_letters).await;
    let records = topics.read(&topics.dead_letters, dead as usize).await;
    let keys: std::collections::HashSet<String> =
        records.iter().map(|r| r.key_text().into_owned()).collect();
    let expected: std::collections::HashSet<String> = pairs.keys().cloned().collect();
    assert!(
        keys == expected,
        "dead-lettered ids are exactly the pairs' ids"
    );
    assert!(
        records
            .iter()
            .all(|r| r.header("dlt-error-kind") == Some(b"conflicting_duplicate".as_slice())),
        "every dead letter is a conflicting duplicate"
    );

    wait_for_members(
        &kafka,
        &topics,
        &["order-service-a", "order-service-c", "order-service-d"],
    )
    .await;
    for process in [a, c, d] {
        process.terminate().await;
    }
}

/// Runs `orders ARGS` with a clean environment and returns its exit success, stdout and
/// stderr.
async fn orders(args: &[&str]) -> (bool, String, String) {
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        Command::new(orders_bin())
            .args(args)
            .env("RUST_LOG", "warn")
            .env_remove("KAFKA_BROKERS")
            .env_remove("KAFKA_BROKER")
            .env_remove("KAFKA_GROUP_ID")
            .env_remove("KAFKA_TOPIC_ORDER_CREATED")
            .env_remove("DATABASE_URL")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("orders did not finish within 60 s")
    .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `orders lag --json` for the test's group.
async fn lag_json(topics: &Topics, group: &str) -> Value {
    let (ok, out, err) = orders(&[
        "lag",
        "--brokers",
        &topics.kafka.brokers,
        "--topic",
        &topics.topic,
        "--group",
        group,
        "--json",
    ])
    .await;
    assert!(ok, "orders lag failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("orders lag --json: {e}: {out}"))
}

fn keyed(prefix: &str, range: std::ops::Range<usize>) -> Vec<(String, Vec<u8>)> {
    range
        .map(|i| {
            let id = format!("{prefix}-{i:04}");
            let value = event(&id, 100);
            (id, value)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lag_is_non_zero_while_the_consumers_are_stopped_and_zero_once_they_drain() {
    let topics = Topics::create(3).await;
    let db = Database::create("orders_test_lag").await;
    let logs = tempfile::tempdir().unwrap();
    let kafka = topics.kafka.clone();
    let publisher = topics.producer();

    // A group that has never consumed anything: exit 0, and the lag counts the log.
    let never = lag_json(&topics, &topics.group).await;
    assert_eq!(never["committed"], false, "{never}");
    assert_eq!(never["totalLag"], 0, "{never}");
    assert_eq!(never["members"], serde_json::json!([]), "{never}");

    publish_all(&publisher, &keyed("lag", 0..300)).await;
    let (ok, table, err) = orders(&[
        "lag",
        "--brokers",
        &kafka.brokers,
        "--topic",
        &topics.topic,
        "--group",
        &topics.group,
    ])
    .await;
    assert!(ok, "{err}");
    assert!(table.contains("total lag: 300"), "{table}");
    assert!(table.contains("has committed no offset"), "{table}");
    assert!(table.contains("no active members"), "{table}");

    let first = OrderServiceProcess::start(
        "order-service-lag-1",
        &kafka.brokers,
        &topics,
        &db.url,
        &logs,
    );
    eventually("the backlog to drain", Duration::from_secs(60), || async {
        let lag = lag_json(&topics, &topics.group).await;
        (lag["totalLag"] == 0 && lag["committed"] == true).then_some(lag)
    })
    .await;
    let running = lag_json(&topics, &topics.group).await;
    assert_eq!(
        running["members"][0]["clientId"], "order-service-lag-1",
        "{running}"
    );
    if running["ownersKnown"] == true {
        for partition in running["partitions"].as_array().unwrap() {
            assert_eq!(
                partition["owner"]["clientId"], "order-service-lag-1",
                "{running}"
            );
        }
    }
    first.terminate().await;

    publish_all(&publisher, &keyed("lag", 300..500)).await;
    let stopped = lag_json(&topics, &topics.group).await;
    assert_eq!(stopped["totalLag"], 200, "{stopped}");
    assert_eq!(stopped["members"], serde_json::json!([]), "{stopped}");
    let per_partition: i64 = stopped["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let lag = p["logEndOffset"].as_i64().unwrap() - p["committedOffset"].as_i64().unwrap();
            assert_eq!(p["lag"].as_i64().unwrap(), lag, "{p}");
            lag
        })
        .sum();
    assert_eq!(per_partition, 200);

    let _second = OrderServiceProcess::start(
        "order-service-lag-2",
        &kafka.brokers,
        &topics,
        &db.url,
        &logs,
    );
    eventually(
        "the new backlog to drain",
        Duration::from_secs(60),
        || async { (lag_json(&topics, &topics.group).await["totalLag"] == 0).then_some(()) },
    )
    .await;
    assert_eq!(db.count().await, 500);

    // Another group, which never committed: its lag is the whole log.
    let other = lag_json(&topics, &unique("never-consumed")).await;
    assert_eq!(other["totalLag"], 500, "{other}");
    assert_eq!(other["committed"], false, "{other}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_migrate_applies_once_reports_the_version_and_refuses_a_newer_database() {
    let db = Database::create("orders_test_migrate").await;
    let (ok, out, err) = orders(&["db", "migrate", "--database-url", &db.url]).await;
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("applied 1 "), "{out}");
    let version_line = *lines.last().unwrap();
    assert!(
        version_line.starts_with("postgres schema at version "),
        "{out}"
    );

    let (ok, again, err) = orders(&["db", "migrate", "--database-url", &db.url]).await;
    assert!(ok, "{err}");
    assert_eq!(again, format!("already up to date\n{version_line}\n"));

    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', true, '\\x00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let (ok, out, err) = orders(&["db", "migrate", "--database-url", &db.url]).await;
    assert!(!ok, "{out}");
    assert!(
        err.contains("schema is at version 9999, newer than this binary's")
            && err.contains("upgrade orders"),
        "{err}"
    );

    // SQLite, named by DATABASE_URL, the file created on the way.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orders.db").display());
    let output = Command::new(orders_bin())
        .args(["db", "migrate"])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        out.starts_with("applied 1 ") && out.contains("sqlite schema at version "),
        "{out}"
    );
}

/// Two nisshi processes on one Postgres storage database, every client bootstrapped with
/// both, the broker the producer is talking to SIGKILLed a third of the way through the
/// load.
///
/// What nisshi 0.8.1 does (see docs/benchmarks.md, "Two nisshi brokers on one
/// Postgres storage database"): both processes call themselves node 111, and each
/// one's metadata names itself, at its own address, as the only broker and the leader
/// of every partition.
/// A client that loses one re-learns node 111's address from the other, so producing
/// and fetching go on and nothing acknowledged is lost. A consumer group member whose
/// coordinator was the killed process does not recover, though: librdkafka keeps its
/// coordinator connection on the dead address because the coordinator's id did not
/// change, so the member goes on persisting what it fetches but commits nothing, its
/// session expires, and it stays out of the group until restarted. Which process a
/// client resolves node 111 to is random (librdkafka picks a bootstrap server at
/// random), so the test tells the two outcomes apart by the order-service's log (its
/// coordinator connection failing on the killed port), restarts it in the second, and
/// asserts what holds either way: every acknowledged record is in the log once, and
/// every order is persisted exactly once with every offset committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nisshi_brokers_on_one_postgres_database_lose_nothing_when_one_is_killed() {
    use orders_kafka::rdkafka::ClientConfig;
    use orders_kafka::rdkafka::producer::{FutureProducer, FutureRecord, Producer};
    use orders_nisshi::{Broker, BrokerConfig, Storage};
    const RECORDS: usize = 6_000;
    const CHUNK: usize = 300;

    let storage = Database::create("orders_test_nisshi_storage").await;
    let db = Database::create("orders_test_two_brokers").await;
    let logs = tempfile::tempdir().unwrap();
    let binary = tokio::task::spawn_blocking(crate::helpers::nisshi)
        .await
        .unwrap();
    let start_broker = {
        let url = storage.url.clone();
        move || {
            let config = BrokerConfig {
                binary: Some(binary.clone()),
                storage: Storage::postgres(url.clone()),
                ..BrokerConfig::default()
            };
            async move {
                tokio::task::spawn_blocking(move || Broker::start(config))
                    .await
                    .unwrap()
                    .unwrap()
            }
        }
    };
    // One after the other: the first creates nisshi's tables in the empty database.
    let first = start_broker().await;
    let second = start_broker().await;
    let mut brokers = vec![Some(first), Some(second)];
    let bootstrap = brokers
        .iter()
        .flatten()
        .map(Broker::bootstrap_servers)
        .collect::<Vec<_>>()
        .join(",");

    let kafka = KafkaConfig::new(bootstrap.clone(), "orders-tests");
    let topics = Topics {
        kafka: kafka.clone(),
        topic: unique("order_created"),
        dead_letters: String::new(),
        group: unique("order-service-group"),
    };
    let topics = Topics {
        dead_letters: format!("{}-dlt", topics.topic),
        ..topics
    };
    let specs = [&topics.topic, &topics.dead_letters]
        .map(|name| orders_kafka::admin::TopicSpec::new(name, 3, 1));
    orders_kafka::admin::create_topics(&kafka, &specs, METADATA_TIMEOUT)
        .await
        .unwrap();

    let mut service =
        OrderServiceProcess::start("order-service-1", &bootstrap, &topics, &db.url, &logs);
    wait_for_members(&kafka, &topics, &["order-service-1"]).await;

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("message.timeout.ms", "60000")
        .set("linger.ms", "5")
        .set("reconnect.backoff.max.ms", "1000")
        .create()
        .unwrap();
    let mut acknowledged = 0;
    let mut killed = None;
    for chunk in 0..RECORDS / CHUNK {
        if chunk == RECORDS / CHUNK / 3 {
            // The broker this producer's metadata names now: the one it is writing to.
            let producer = producer.clone();
            let metadata = tokio::task::spawn_blocking(move || {
                producer.client().fetch_metadata(None, METADATA_TIMEOUT)
            })
            .await
            .unwrap()
            .unwrap();
            let port = metadata.brokers()[0].port() as u16;
            let victim = brokers
                .iter()
                .position(|b| b.as_ref().is_some_and(|b| b.port() == port))
                .unwrap();
            let mut broker = brokers[victim].take().unwrap();
            tokio::task::spawn_blocking(move || broker.kill())
                .await
                .unwrap();
            killed = Some(port);
        }
        let mut sends = tokio::task::JoinSet::new();
        for i in chunk * CHUNK..(chunk + 1) * CHUNK {
            let producer = producer.clone();
            let topic = topics.topic.clone();
            sends.spawn(async move {
                let id = format!("ha-{i:05}");
                let value = event(&id, 100);
                let record = FutureRecord::to(&topic).key(&id).payload(&value);
                producer
                    .send(record, Duration::ZERO)
                    .await
                    .map_err(|(e, _)| format!("{id}: {e}"))
            });
        }
        while let Some(sent) = sends.join_next().await {
            sent.unwrap().unwrap();
            acknowledged += 1;
        }
        // Load shaping: the kill lands while records are being written.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    producer.flush(Duration::from_secs(10)).unwrap();
    let killed = killed.unwrap();
    assert_eq!(acknowledged, RECORDS);
    let survivor = brokers.iter().flatten().next().unwrap();
    assert_ne!(survivor.port(), killed);

    // Nothing acknowledged is missing from the log, and nothing is there twice.
    let survivor_only = KafkaConfig::new(survivor.bootstrap_servers(), "orders-tests");
    let in_log = Topics {
        kafka: survivor_only.clone(),
        ..topics.clone()
    }
    .count(&topics.topic)
    .await;
    assert_eq!(
        in_log, RECORDS as i64,
        "records in the surviving broker's log"
    );

    // The order-service was connected to both processes. If its group coordinator was
    // the survivor it carries on; if it was the killed one, librdkafka keeps calling the
    // dead address (its log says so), the member can neither commit nor heartbeat, and
    // only a restart brings it back. Either way every order must end up persisted once,
    // with every offset committed.
    let coordinator_lost = format!("GroupCoordinator: 127.0.0.1:{killed}: Connect");
    let drained = || async {
        let lag = describe(&survivor_only, &topics).await;
        lag.total() == 0 && db.count().await == RECORDS as i64
    };
    let stuck = eventually(
        "the order-service to drain the topic or to lose its coordinator",
        Duration::from_secs(60),
        || async {
            if drained().await {
                Some(false)
            } else {
                let log = std::fs::read_to_string(&service.log).unwrap();
                log.contains(&coordinator_lost).then_some(true)
            }
        },
    )
    .await;
    service.assert_running();
    let service = if stuck {
        let lag = describe(&survivor_only, &topics).await;
        eprintln!(
            "the order-service's coordinator was the killed broker: {} orders persisted, \
             lag {} uncommitted, members {:?}; restarting it",
            db.count().await,
            lag.total(),
            member_names(&lag)
        );
        service.kill().await;
        let service =
            OrderServiceProcess::start("order-service-2", &bootstrap, &topics, &db.url, &logs);
        eventually(
            "every acknowledged order to be persisted and committed",
            Duration::from_secs(60),
            || async { drained().await.then_some(()) },
        )
        .await;
        service
    } else {
        eprintln!("the order-service's coordinator was the survivor: it drained the topic");
        service
    };
    let orders = db.orders().await;
    for i in 0..RECORDS {
        assert!(orders.contains_key(&format!("ha-{i:05}")), "ha-{i:05} lost");
    }
    service.terminate().await;
    // SIGKILL: nisshi on Postgres takes 5 s to stop on SIGTERM, and nothing is left to
    // keep.
    for mut broker in brokers.into_iter().flatten() {
        tokio::task::spawn_blocking(move || broker.kill())
            .await
            .unwrap();
    }
}
