//! The order-service over the wire: events in on the topic, orders out on its admin port.

use crate::helpers::*;
use serde_json::Value;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_order_is_persisted_once_as_pending() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;

    let accepted: Value = http()
        .post(gateway.url("/orders"))
        .json(&order_body())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = accepted["correlationId"].as_str().unwrap();
    let order = persisted(&service, id).await;
    assert_eq!(order["status"], "pending");
    assert_eq!(order["customerId"], "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf");
    assert_eq!(order["items"], accepted["event"]["items"]);
    assert_eq!(order["totalAmount"], 150);
    assert_eq!(order["createdAt"], accepted["event"]["createdAt"]);
    let time =
        |field: &str| chrono::DateTime::parse_from_rfc3339(order[field].as_str().unwrap()).unwrap();
    assert!(time("persistedAt") >= time("createdAt"), "{order}");
    assert_eq!(order["source"]["offset"], accepted["offset"]);

    let (status, list) = get_json(&service.url("/orders?limit=10")).await;
    assert_eq!(status, 200);
    assert_eq!(list["orders"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_delivered_twice_leaves_one_order() {
    let topics = Topics::create(1).await;
    let service = spawn_consumer(&topics).await;
    topics
        .produce("dup-1", event_json("dup-1").as_bytes())
        .await;
    topics
        .produce("dup-1", event_json("dup-1").as_bytes())
        .await;
    topics
        .produce("after-dup", event_json("after-dup").as_bytes())
        .await;

    persisted(&service, "after-dup").await;
    let (_, stats) = get_json(&service.url("/stats")).await;
    assert_eq!(stats["created"], 2, "{stats}");
    assert_eq!(stats["duplicates"], 1, "{stats}");
    let (_, lookup) = {
        let response = http()
            .post(service.url("/lookup"))
            .json(&serde_json::json!({"correlationIds": ["dup-1"]}))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(lookup["orders"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_event_is_set_aside_and_the_next_one_is_persisted() {
    let topics = Topics::create(1).await;
    let service = spawn_consumer(&topics).await;
    topics.produce("bad-1", b"{this is not json").await;
    topics
        .produce("bad-2", br#"{"correlationId":"bad-2","items":[]}"#)
        .await;
    topics
        .produce("good-1", event_json("good-1").as_bytes())
        .await;

    persisted(&service, "good-1").await;
    let dead = topics.read(&topics.dead_letters, 2).await;
    assert_eq!(dead[0].value.as_deref(), Some(&b"{this is not json"[..]));
    assert_eq!(dead[0].header("dlt-error-kind"), Some(&b"not_json"[..]));
    assert_eq!(
        dead[1].header("dlt-error-kind"),
        Some(&b"contract_violation"[..])
    );
    assert_eq!(dead[1].header("dlt-original-offset"), Some(&b"1"[..]));
    let (status, _) = get_json(&service.url("/orders/bad-2")).await;
    assert_eq!(status, 404);
    let (_, stats) = get_json(&service.url("/stats")).await;
    assert_eq!(
        (stats["created"].as_u64(), stats["rejected"].as_u64()),
        (Some(1), Some(2)),
        "{stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_port_answers_health_and_refuses_bad_queries() {
    let topics = Topics::create(1).await;
    let service = spawn_consumer(&topics).await;
    assert_eq!(get_json(&service.url("/healthz")).await.0, 200);
    eventually(
        "the order-service to be ready",
        Duration::from_secs(10),
        || async { (get_json(&service.url("/readyz")).await.0 == 200).then_some(()) },
    )
    .await;
    assert_eq!(get_json(&service.url("/orders/unknown-id")).await.0, 404);
    for query in ["limit=0", "limit=1001", "limit=abc"] {
        let (status, body) = get_json(&service.url(&format!("/orders?{query}"))).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["error"].as_str().unwrap().contains("limit"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_order_service_resumes_after_what_it_committed() {
    let topics = Topics::create(2).await;
    let first = spawn_consumer(&topics).await;
    topics.produce("r-1", event_json("r-1").as_bytes()).await;
    topics.produce("r-2", event_json("r-2").as_bytes()).await;
    persisted(&first, "r-1").await;
    persisted(&first, "r-2").await;
    let database_url = first.database_url.clone();
    let OrderService { service, dir, .. } = first;
    service.stop().await;

    topics.produce("r-3", event_json("r-3").as_bytes()).await;
    let second = spawn_consumer_on(&topics, &database_url).await;
    persisted(&second, "r-3").await;
    // Offsets were committed on shutdown: the restarted service reads only what is new.
    let (_, stats) = get_json(&second.url("/stats")).await;
    assert_eq!(
        (stats["received"].as_u64(), stats["duplicates"].as_u64()),
        (Some(1), Some(0)),
        "{stats}"
    );
    drop(dir);
}
