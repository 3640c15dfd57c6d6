//! `orders bench` against the real stack: its accounting, its JSON and its exit codes.

use crate::helpers::*;
use crate::process::free_port;
use serde_json::Value;

/// The top-level fields of `orders bench --json`, as docs/benchmarks.md documents them.
const FIELDS: [&str; 21] = [
    "version",
    "gateway",
    "mode",
    "concurrency",
    "rate",
    "warmup",
    "seed",
    "sent",
    "accepted",
    "clientErrors",
    "serverErrors",
    "transportErrors",
    "errorRate",
    "elapsedSeconds",
    "throughput",
    "latencyMs",
    "e2e",
    "errors",
    "failures",
    "requests",
    "durationSeconds",
];
const LATENCY: [&str; 7] = ["min", "p50", "p90", "p99", "p999", "max", "mean"];
const E2E: [&str; 7] = [
    "persisted",
    "missing",
    "duplicated",
    "latencyMs",
    "drainSeconds",
    "missingSample",
    "lookupError",
];

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    list.sort();
    list
}

async fn bench(extra: &[&str]) -> (std::process::Output, Value) {
    let mut command: Vec<String> = vec!["bench".into(), "--json".into()];
    command.extend(extra.iter().map(|s| (*s).to_owned()));
    let output = run_orders(&command).await;
    let summary = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_orders_are_all_accepted_and_persisted_once() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    let gateway_url = gateway.url("");
    let admin_url = service.url("");
    let (output, summary) = bench(&[
        "-n",
        "500",
        "-c",
        "16",
        "--warmup",
        "20",
        "--e2e",
        "--gateway",
        &gateway_url,
        "--admin",
        &admin_url,
    ])
    .await;
    assert!(output.status.success(), "{}\n{summary}", stderr(&output));

    assert_eq!(keys(&summary), sorted(&FIELDS), "documented fields");
    assert_eq!(keys(&summary["latencyMs"]), sorted(&LATENCY));
    assert_eq!(keys(&summary["e2e"]), sorted(&E2E));
    assert_eq!(keys(&summary["e2e"]["latencyMs"]), sorted(&LATENCY));
    assert_eq!(summary["version"], 1);
    assert_eq!(summary["mode"], "closed");
    assert_eq!(
        (summary["sent"].as_u64(), summary["accepted"].as_u64()),
        (Some(500), Some(500))
    );
    assert_eq!(summary["errorRate"], 0.0);
    assert!(summary["throughput"].as_f64().unwrap() > 0.0);
    let latency = &summary["latencyMs"];
    assert!(
        latency["min"].as_f64() <= latency["p50"].as_f64()
            && latency["p99"].as_f64() <= latency["max"].as_f64(),
        "{latency}"
    );
    // Warm-up orders are left out of the figures but must be persisted too.
    let e2e = &summary["e2e"];
    assert_eq!(
        (
            e2e["persisted"].as_u64(),
            e2e["missing"].as_u64(),
            e2e["duplicated"].as_u64()
        ),
        (Some(520), Some(0), Some(0)),
        "{e2e}"
    );
    assert_eq!(summary["failures"], serde_json::json!([]));
    assert_eq!(topics.count(&topics.topic).await, 520);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_order_service_e2e_fails_and_counts_the_missing_orders() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let (output, summary) = bench(&[
        "-n",
        "50",
        "--e2e",
        "--e2e-timeout",
        "2s",
        "--gateway",
        &gateway.url(""),
        "--admin",
        &nowhere,
    ])
    .await;
    assert!(!output.status.success(), "{summary}");
    assert_eq!(summary["accepted"], 50);
    assert_eq!(
        (
            summary["e2e"]["persisted"].as_u64(),
            summary["e2e"]["missing"].as_u64()
        ),
        (Some(0), Some(50)),
        "{summary}"
    );
    assert!(
        summary["e2e"]["lookupError"]
            .as_str()
            .unwrap()
            .contains("cannot reach the order-service"),
        "{summary}"
    );
    assert_stderr_has(
        &output,
        "FAILED: 50 accepted orders were never seen persisted",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_loop_runs_at_its_rate_and_thresholds_decide_the_exit_code() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    let url = gateway.url("");
    let started = std::time::Instant::now();
    let (output, summary) = bench(&["-n", "200", "--rate", "400", "--gateway", &url]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["mode"], "open");
    assert_eq!(summary["accepted"], 200);
    // 200 orders at 400/s cannot take less than half a second.
    assert!(started.elapsed() >= std::time::Duration::from_millis(450));
    assert!(
        summary["elapsedSeconds"].as_f64().unwrap() >= 0.45,
        "{summary}"
    );

    let (output, summary) = bench(&["-n", "20", "--max-p99", "0.001", "--gateway", &url]).await;
    assert!(!output.status.success());
    assert!(
        summary["failures"][0]
            .as_str()
            .unwrap()
            .contains("exceeds --max-p99"),
        "{summary}"
    );

    let output = run_orders(&[
        "bench".into(),
        "-n".into(),
        "5".into(),
        "--gateway".into(),
        format!("http://127.0.0.1:{}", free_port()),
    ])
    .await;
    assert!(!output.status.success());
    assert_stderr_has(&output, "cannot reach the gateway");
}
