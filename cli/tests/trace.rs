//! `orders trace` against the running pipeline: a persisted order is followed to its
//! record and its state, an order that is only on the topic is still found, and an
//! unknown one fails with one line.

use crate::helpers::*;
use serde_json::Value;

/// Submits an order through `gateway` with `correlation_id`; the 202 answer.
async fn submit(gateway: &Service, correlation_id: &str) -> Value {
    let response = http()
        .post(gateway.url("/orders"))
        .header("x-correlation-id", correlation_id)
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    response.json().await.unwrap()
}

fn trace_args(topics: &Topics, admin: &str, id: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["trace".to_owned(), id.to_owned()];
    args.extend(topics.cli_args());
    args.extend(["--admin".to_owned(), admin.to_owned()]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persisted_order_is_traced_to_its_record_its_status_and_its_timings() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    let id = unique("trace");
    let accepted = submit(&gateway, &id).await;
    persisted(&service, &id).await;
    let position = format!(
        "{}/{}@{}",
        topics.topic, accepted["partition"], accepted["offset"]
    );

    let output = run_orders(&trace_args(&topics, &service.url(""), &id, &[])).await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(text.contains(&format!("record     {position}")), "{text}");
    assert!(text.contains(&format!("key        {id}")), "{text}");
    assert!(text.contains("persisted  status pending  at "), "{text}");
    assert!(text.contains("total"), "{text}");
    // Every header of the record is shown (traceparent, once the gateway writes it).
    let record = topics.read(&topics.topic, 1).await.remove(0);
    for (name, _) in &record.headers {
        assert!(
            text.contains(&format!("header     {name}: ")),
            "{name}: {text}"
        );
    }

    let output = run_orders(&trace_args(&topics, &service.url(""), &id, &["--json"])).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(document["correlationId"], id.as_str());
    assert_eq!(document["persisted"], true);
    assert_eq!(document["record"]["partition"], accepted["partition"]);
    assert_eq!(document["record"]["offset"], accepted["offset"]);
    assert_eq!(document["record"]["key"], id.as_str());
    assert_eq!(document["record"]["value"], accepted["event"]);
    assert_eq!(document["order"]["status"], "pending");
    let timeline = &document["timeline"];
    assert_eq!(timeline["createdAt"], accepted["event"]["createdAt"]);
    for step in [
        "onTopicAt",
        "persistedAt",
        "createdToOnTopicMs",
        "onTopicToPersistedMs",
        "createdToPersistedMs",
    ] {
        assert!(!timeline[step].is_null(), "{step}: {timeline}");
    }
    assert!(timeline["createdToPersistedMs"].as_f64().unwrap() >= 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_on_the_topic_that_is_not_persisted_is_found_and_exits_3() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    // An order-service on other topics: it answers, but never sees this order.
    let elsewhere = spawn_consumer(&Topics::create(1).await).await;
    let id = unique("in-flight");
    let accepted = submit(&gateway, &id).await;
    let position = format!(
        "{}/{}@{}",
        topics.topic, accepted["partition"], accepted["offset"]
    );

    let output = run_orders(&trace_args(&topics, &elsewhere.url(""), &id, &[])).await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(3), "{text}{}", stderr(&output));
    assert!(text.contains(&format!("record     {position}")), "{text}");
    assert!(
        text.contains("persisted  no: the order-service does not have it (yet)"),
        "{text}"
    );

    // With no order-service at all, the record is still found; its state is unknown.
    let closed = "http://127.0.0.1:9";
    let output = run_orders(&trace_args(&topics, closed, &id, &["--json"])).await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(document["persisted"], false);
    assert_eq!(document["record"]["offset"], accepted["offset"]);
    assert!(
        document["orderServiceError"]
            .as_str()
            .unwrap()
            .contains("cannot reach the order-service"),
        "{document}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_order_exits_1_with_one_line_that_says_where_it_looked() {
    let topics = Topics::create(2).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    // Something on the topic, so that the scan has records to go through.
    let other = unique("other");
    submit(&gateway, &other).await;
    persisted(&service, &other).await;

    let id = unique("nobody");
    let output = run_orders(&trace_args(
        &topics,
        &service.url(""),
        &id,
        &["--scan-timeout", "10s"],
    ))
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with(&format!("error: order {id} not found: ")),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "no record on {} has this key (read 1 records: the whole topic)",
            topics.topic
        )),
        "{message}"
    );
}
