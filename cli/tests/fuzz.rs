//! Hostile and varied HTTP input against the real gateway on the real broker, judged by
//! tools nobody here wrote: schemathesis generates requests from the OpenAPI document the
//! gateway serves (valid ones, and ones that break it on purpose) and runs all its
//! checks; openapi-spec-validator checks the document itself; the event JSON Schema
//! checks every record the gateway published. Afterwards the topic must hold exactly the
//! orders that got a 202: nothing rejected was published.
//!
//! The Python tools are pinned and installed once from PyPI into a venv under the
//! target directory; without python3 and pip the test fails, it is never skipped.

use crate::helpers::*;
use orders_core::event::JSON_SCHEMA;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The tools, pinned: a new release must not change what this test means.
const PYTHON_TOOLS: &[&str] = &["schemathesis==4.32.5", "openapi-spec-validator==0.9.0"];

/// The seed schemathesis generates from, so a failure can be replayed; set
/// `SCHEMATHESIS_SEED` to explore other inputs.
const DEFAULT_SEED: &str = "20261128";

/// The venv holding [`PYTHON_TOOLS`], installed on first use (see `helpers::python_venv`).
fn python_tools() -> PathBuf {
    python_venv("python-tools", PYTHON_TOOLS)
}

/// The correlation ids of the 202 answers in schemathesis's HAR report.
fn accepted_in(har: &Path) -> (usize, Vec<String>) {
    let har: Value = serde_json::from_slice(&fs::read(har).unwrap()).unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    let accepted = entries
        .iter()
        .filter(|e| e["request"]["method"] == "POST" && e["response"]["status"] == 202)
        .map(|e| {
            let headers = e["response"]["headers"].as_array().unwrap();
            let header = headers
                .iter()
                .find(|h| {
                    h["name"]
                        .as_str()
                        .unwrap()
                        .eq_ignore_ascii_case("x-correlation-id")
                })
                .unwrap_or_else(|| panic!("a 202 without x-correlation-id: {e}"));
            header["value"].as_str().unwrap().to_owned()
        })
        .collect();
    (entries.len(), accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_fault_and_nothing_it_got_rejected_is_published() {
    let venv = tokio::task::spawn_blocking(python_tools).await.unwrap();
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let dir = tempfile::tempdir().unwrap();

    let document = http()
        .get(gateway.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let path = dir.path().join("openapi.json");
    fs::write(&path, &document).unwrap();
    let validator = venv.join("bin/openapi-spec-validator");
    let verdict = tokio::task::spawn_blocking(move || {
        run_checked(Command::new(validator).arg(path), "openapi-spec-validator")
    })
    .await
    .unwrap();
    assert!(verdict.contains("OK"), "{verdict}");

    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| DEFAULT_SEED.to_owned());
    let har = dir.path().join("requests.har");
    let mut schemathesis = tokio::process::Command::new(venv.join("bin/schemathesis"));
    schemathesis
        .current_dir(dir.path())
        .args(["run", &gateway.url("/openapi.json")])
        .args(["--checks", "all", "--seed", &seed, "--max-examples", "200"])
        .args(["--report", "har", "--report-har-path"])
        .arg(&har)
        .args(["--report-dir"])
        .arg(dir.path())
        .args([
            "--request-timeout",
            "15",
            "--generation-database",
            "none",
            "--no-color",
        ])
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(600), schemathesis.output())
        .await
        .expect("schemathesis did not finish within 10 minutes")
        .unwrap();
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "schemathesis (seed {seed}) found problems:\n{report}"
    );

    let (sent, accepted) = accepted_in(&har);
    assert!(
        accepted.len() >= 10 && sent > accepted.len(),
        "schemathesis should have had orders both accepted and rejected: {} accepted of \
         {sent}\n{report}",
        accepted.len()
    );
    let on_topic = topics.count(&topics.topic).await;
    assert_eq!(
        on_topic,
        accepted.len() as i64,
        "records on the topic vs 202 answers, of {sent} requests"
    );
    let mut keys: Vec<String> = topics
        .read(&topics.topic, accepted.len())
        .await
        .into_iter()
        .map(|r| String::from_utf8(r.key.unwrap()).unwrap())
        .collect();
    let mut accepted = accepted;
    keys.sort();
    accepted.sort();
    assert_eq!(
        keys, accepted,
        "the records are exactly the accepted orders"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_the_gateway_publishes_validates_against_the_json_schema() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let orders: Vec<(Option<String>, Value)> = vec![
        (None, order_body()),
        (
            Some("client/2026:7".to_owned()),
            json!({
                "customerId": "06F3BBF9-24AD-4D18-9D0D-7FAD5B5F5CBF",
                "items": [
                    {"sku": "SKU-1", "quantity": 2},
                    {"sku": "café ☕", "quantity": 1.0},
                    {"sku": "S", "quantity": 9_007_199_254_740_991_u64}
                ],
                "totalAmount": 149.99
            }),
        ),
        (
            Some("x".repeat(128)),
            json!({
                "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
                "items": [{"sku": "SKU-9", "quantity": 3, "note": "ignored"}],
                "totalAmount": 0.1,
                "coupon": "ignored, like Zod does"
            }),
        ),
        (
            Some(uuid::Uuid::new_v4().to_string().to_uppercase()),
            json!({
                "customerId": uuid::Uuid::new_v4().to_string().to_uppercase(),
                "items": (1..=20).map(|i| json!({"sku": format!("SKU-{i}"), "quantity": i})).collect::<Vec<_>>(),
                "totalAmount": 1e21
            }),
        ),
        (
            Some("!#$%&'*+-.^_`|~".to_owned()),
            json!({
                "customerId": "00000000-0000-0000-0000-000000000000",
                "items": [{"sku": " ", "quantity": 1}],
                "totalAmount": 5e-324
            }),
        ),
    ];
    let mut events = Vec::new();
    for (id, body) in &orders {
        let mut request = http().post(gateway.url("/orders")).json(body);
        if let Some(id) = id {
            request = request.header("x-correlation-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 202, "{body}");
        let answer: Value = response.json().await.unwrap();
        events.push(answer["event"].clone());
    }

    let schema: Value = serde_json::from_str(JSON_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let records = topics.read(&topics.topic, orders.len()).await;
    for record in &records {
        let value: Value = serde_json::from_slice(record.value.as_deref().unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{value} breaks the schema: {errors:#?}");
        assert!(
            events.contains(&value),
            "{value} was not answered with a 202"
        );
    }
    assert_eq!(topics.count(&topics.topic).await, orders.len() as i64);
}
