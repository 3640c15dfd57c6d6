//! The wire format as the compatibility promise, checked with a Kafka client nobody here
//! wrote: KafkaJS (a pure JavaScript implementation of the protocol, what the seed used).
//!
//! The seed's gateway (reconstructed in `bench/seed-gateway/`: NestJS, Zod, KafkaJS)
//! publishes orders our order-service must persist; a KafkaJS consumer reads what our
//! gateway publishes and must see the plain contract JSON with the correlation id as
//! key. The Node.js dependencies are installed with `npm ci` on first use (guarded by a
//! lock, pinned by the committed lock file); without node and npm the test fails and
//! says so, it never skips.

use crate::helpers::*;
use crate::process::free_port;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/seed-gateway")
}

/// `npm ci && npm run build` in bench/seed-gateway, once per test binary.
fn built_seed() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = seed_dir();
        let run = |args: &[&str]| {
            let output = std::process::Command::new("npm")
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap_or_else(|e| {
                    panic!("npm is needed for the KafkaJS interop tests (Node.js 20 and npm): {e}")
                });
            assert!(
                output.status.success(),
                "npm {args:?} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        if !dir.join("node_modules/kafkajs").exists() {
            run(&["ci", "--no-audit", "--no-fund"]);
        }
        if !dir.join("dist/main.js").exists() {
            run(&["run", "build"]);
        }
        dir
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_published_by_the_seeds_kafkajs_gateway_are_persisted_by_our_order_service() {
    let dir = tokio::task::spawn_blocking(built_seed)
        .await
        .unwrap()
        .clone();
    let topics = Topics::create(3).await;
    let service = spawn_consumer(&topics).await;
    let port = free_port();
    let mut seed = tokio::process::Command::new("node")
        .arg("dist/main.js")
        .current_dir(&dir)
        .env("KAFKA_BROKERS", &topics.kafka.brokers)
        .env("KAFKA_TOPIC_ORDER_CREATED", &topics.topic)
        .env("KAFKA_CLIENT_ID", "seed-gateway")
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node is needed for the KafkaJS interop tests");

    let url = format!("http://127.0.0.1:{port}/orders");
    let body = serde_json::json!({
        "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
        "items": [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-9", "quantity": 1}],
        "totalAmount": 150.5
    });
    // It listens only once its producer is connected: retry until it answers.
    let accepted: Value = eventually(
        "the seed gateway to accept an order",
        Duration::from_secs(60),
        || async {
            let response = http()
                .post(&url)
                .header("x-correlation-id", "from-kafkajs-1")
                .json(&body)
                .send()
                .await
                .ok()?;
            (response.status() == 202).then_some(())?;
            response.json().await.ok()
        },
    )
    .await;
    assert_eq!(accepted["correlationId"], "from-kafkajs-1");

    let order = persisted(&service, "from-kafkajs-1").await;
    assert_eq!(order["status"], "pending");
    assert_eq!(order["totalAmount"], 150.5);
    assert_eq!(order["items"], body["items"]);
    assert_eq!(
        order["createdAt"], accepted["event"]["createdAt"],
        "the seed's createdAt, kept"
    );
    let _ = seed.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kafkajs_consumer_reads_our_events_as_the_plain_contract_keyed_by_correlation_id() {
    let dir = tokio::task::spawn_blocking(built_seed)
        .await
        .unwrap()
        .clone();
    let topics = Topics::create(2).await;
    let gateway = spawn_gateway(&topics).await;
    let response = post_order(&gateway.url("/orders"), "to-kafkajs-1").await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();

    // A KafkaJS consumer in its own group, from the beginning, printing the first record.
    let script = r#"
        const { Kafka, logLevel } = require('kafkajs');
        const [brokers, topic, group] = process.argv.slice(-3);
        const kafka = new Kafka({ clientId: 'interop-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
        const consumer = kafka.consumer({ groupId: group });
        (async () => {
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          await consumer.run({ eachMessage: async ({ message }) => {
            const headers = Object.keys(message.headers || {});
            // Exit at once: disconnecting from inside eachMessage waits for itself.
            process.stdout.write(JSON.stringify({ key: message.key.toString(), value: message.value.toString(), headers }) + '\n', () => process.exit(0));
          }});
        })().catch((e) => { console.error(e); process.exit(1); });
    "#;
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new("node")
            .args([
                "-e",
                script,
                "--",
                &topics.kafka.brokers,
                &topics.topic,
                &unique("kafkajs"),
            ])
            .current_dir(&dir)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the KafkaJS consumer read nothing within 60 s")
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(read["key"], "to-kafkajs-1");
    let value: Value = serde_json::from_str(read["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        value, accepted["event"],
        "the value is the event, nothing more"
    );
    let fields: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields.len(), 5, "{fields:?}");
}
