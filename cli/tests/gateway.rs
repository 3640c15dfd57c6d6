//! The gateway over the wire: what it accepts, publishes and refuses.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_order_is_accepted_and_published_with_its_correlation_id_as_key() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;

    let response = post_order(&gateway.url("/orders"), "client-id-1").await;
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["x-correlation-id"], "client-id-1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["correlationId"], "client-id-1");
    let created_at = body["event"]["createdAt"].as_str().unwrap().to_owned();
    assert_eq!(
        created_at.len(),
        "2025-12-05T21:15:00.000Z".len(),
        "{created_at}"
    );
    assert!(created_at.ends_with('Z'));

    let records = topics.read(&topics.topic, 1).await;
    let record = &records[0];
    assert_eq!(record.key.as_deref(), Some(&b"client-id-1"[..]));
    assert_eq!(
        (record.partition, record.offset),
        (
            body["partition"].as_i64().unwrap() as i32,
            body["offset"].as_i64().unwrap()
        )
    );
    // The value is the contract's JSON and nothing more, byte for byte.
    let expected = format!(
        r#"{{"correlationId":"client-id-1","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{{"sku":"SKU-1","quantity":2}}],"totalAmount":150,"createdAt":"{created_at}"}}"#
    );
    assert_eq!(
        String::from_utf8(record.value.clone().unwrap()).unwrap(),
        expected
    );
    let published: Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(
        body["event"], published,
        "the 202 returns the exact published event"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_header_the_gateway_makes_a_uuid_correlation_id() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    let response = http()
        .post(gateway.url("/orders"))
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    let id = body["correlationId"].as_str().unwrap();
    let parsed = uuid::Uuid::parse_str(id).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
    let record = &topics.read(&topics.topic, 1).await[0];
    assert_eq!(record.key.as_deref(), Some(id.as_bytes()));
}

/// Sends `body` with `content_type` and returns status and JSON answer.
async fn post(
    gateway: &Service,
    content_type: Option<&str>,
    header: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut request = http().post(gateway.url("/orders")).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(header) = header {
        request = request.header("x-correlation-id", header);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn paths(answer: &Value) -> Vec<&str> {
    answer["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_4xx_that_names_the_problem_and_publish_nothing() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let json = Some("application/json");
    let valid = serde_json::to_vec(&order_body()).unwrap();

    let (status, answer) = post(&gateway, Some("text/plain"), None, valid.clone()).await;
    assert_eq!(status, 415);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{answer}"
    );

    let (status, _) = post(&gateway, None, None, valid.clone()).await;
    assert_eq!(status, 415);

    let (status, answer) = post(&gateway, json, None, b"{\"customerId\": ".to_vec()).await;
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().unwrap().contains("not valid JSON"),
        "{answer}"
    );

    let (status, answer) = post(&gateway, json, None, b"[]".to_vec()).await;
    assert_eq!((status, paths(&answer)), (400, vec![""]));

    let (status, answer) = post(&gateway, json, None, b"{}".to_vec()).await;
    assert_eq!(
        (status, paths(&answer)),
        (400, vec!["/customerId", "/items", "/totalAmount"])
    );

    let every_field_wrong = json!({
        "customerId": "nope",
        "items": [{"sku": "", "quantity": 0}, {"sku": "B", "quantity": 1.5}],
        "totalAmount": -3
    });
    let (status, answer) = post(
        &gateway,
        json,
        None,
        serde_json::to_vec(&every_field_wrong).unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        paths(&answer),
        vec![
            "/customerId",
            "/items/0/sku",
            "/items/0/quantity",
            "/items/1/quantity",
            "/totalAmount"
        ]
    );

    let (status, answer) = post(&gateway, json, Some("has space"), valid.clone()).await;
    assert_eq!((status, paths(&answer)), (400, vec!["x-correlation-id"]));

    let huge = json!({"customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf", "items": [{"sku": "x".repeat(70_000), "quantity": 1}], "totalAmount": 1});
    let (status, answer) = post(&gateway, json, None, serde_json::to_vec(&huge).unwrap()).await;
    assert_eq!(status, 413, "{answer}");

    let (status, _) = post(&gateway, json, None, b"\xff\xfe".to_vec()).await;
    assert_eq!(status, 400);

    // Every one of those was refused before publishing: the topic is still empty. One
    // valid order afterwards shows the check would have seen a publish.
    assert_eq!(topics.count(&topics.topic).await, 0);
    let (status, _) = post(&gateway, json, None, valid).await;
    assert_eq!(status, 202);
    assert_eq!(topics.count(&topics.topic).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_follow_the_broker() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    assert_eq!(get_json(&gateway.url("/healthz")).await.0, 200);
    assert_eq!(get_json(&gateway.url("/readyz")).await.0, 200);

    // A gateway whose broker does not exist is alive but not ready, and refuses orders
    // with a 503 the client may retry, within its publish deadline.
    let mut nowhere = topics.clone();
    nowhere.kafka.brokers = "127.0.0.1:1".into();
    let lost = spawn_gateway(&nowhere).await;
    assert_eq!(get_json(&lost.url("/healthz")).await.0, 200);
    let (status, body) = get_json(&lost.url("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    let started = std::time::Instant::now();
    let response = http()
        .post(lost.url("/orders"))
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "the 503 came after {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_probes_share_one_broker_check_a_second() {
    // A broker that never answers makes every check take its whole deadline (2 s): ten
    // probes one after the other, and ten at once, must not each wait for their own.
    let mut nowhere = Topics::create(1).await;
    nowhere.kafka.brokers = format!("127.0.0.1:{}", crate::process::free_port());
    let lost = spawn_gateway(&nowhere).await;
    let started = std::time::Instant::now();
    for _ in 0..10 {
        assert_eq!(get_json(&lost.url("/readyz")).await.0, 503);
    }
    let mut probes = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let url = lost.url("/readyz");
        probes.spawn(async move { get_json(&url).await });
    }
    while let Some(answer) = probes.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 503, "{body}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "20 probes took {:?}",
        started.elapsed()
    );

    // A broker that answers is seen as ready again within about a second.
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    assert_eq!(get_json(&gateway.url("/readyz")).await.0, 200);
}
