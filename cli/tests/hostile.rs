//! What producers and clients other than ours can do to the pipeline, and that none of it
//! stops it: each record that cannot be used is set aside with its reason, and the valid
//! orders written after it are persisted within seconds by a service that stays ready.

use crate::helpers::{
    Topics, event_json, eventually, get_json, http, persisted, run_orders, spawn_consumer,
    spawn_consumer_on, spawn_gateway, stdout,
};
use orders_kafka::dead_letter::DeadLetter;
use orders_kafka::{KafkaPublisher, ProducerSettings, Record};
use serde_json::{Value, json};
use std::time::Duration;

/// Produces `n` valid events `<prefix>-<i>` and waits until the service has every one.
async fn valid_orders_go_through(
    topics: &Topics,
    service: &crate::helpers::OrderService,
    prefix: &str,
) {
    for i in 0..5 {
        let id = format!("{prefix}-{i}");
        topics.produce(&id, event_json(&id).as_bytes()).await;
    }
    for i in 0..5 {
        persisted(service, &format!("{prefix}-{i}")).await;
    }
    let (status, _) = get_json(&service.url("/readyz")).await;
    assert_eq!(
        status, 200,
        "the order-service is ready after the bad records"
    );
}

/// The dead letters of `topics`, each with what its headers say.
async fn dead_letters(topics: &Topics, n: usize) -> Vec<(String, DeadLetter)> {
    topics
        .read(&topics.dead_letters, n)
        .await
        .into_iter()
        .map(|r| (r.key_text().into_owned(), DeadLetter::of(&r)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_key_that_is_not_utf8_is_set_aside_and_tail_and_trace_read_it() {
    let topics = Topics::create(2).await;
    let service = spawn_consumer(&topics).await;
    let record = Record {
        topic: topics.topic.clone(),
        key: Some(b"raw-header".to_vec()),
        value: Some(event_json("raw-header").into_bytes()),
        headers: vec![(
            "traceparent".into(),
            b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_vec(),
        )],
        ..Record::default()
    };
    topics
        .producer()
        .publish_with_raw_header(&record, b"k\xff\xfe", b"v")
        .await
        .unwrap();
    valid_orders_go_through(&topics, &service, "after-raw-header").await;
    let dead = dead_letters(&topics, 1).await;
    assert_eq!(dead[0].0, "raw-header");
    assert_eq!(dead[0].1.error_kind.as_deref(), Some("bad_headers"));
    assert!(
        dead[0]
            .1
            .error_message
            .as_deref()
            .unwrap()
            .contains("6bfffe"),
        "{:?}",
        dead[0].1
    );
    let (_, order) = get_json(&service.url("/orders/raw-header")).await;
    assert_eq!(
        order["error"].as_str().map(|_| ()),
        Some(()),
        "never persisted: {order}"
    );

    // The tools read it too, instead of crashing on it.
    let mut args: Vec<String> = ["tail", "--from", "beginning", "-n", "6", "--json"]
        .map(String::from)
        .into();
    args.extend(topics.cli_args());
    let output = run_orders(&args).await;
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let raw = lines.iter().find(|l| l["key"] == "raw-header").unwrap();
    assert!(
        raw["headerError"].as_str().unwrap().contains("not UTF-8"),
        "{raw}"
    );
    let mut args: Vec<String> = ["dlq", "tail", "--from", "beginning", "-n", "1"]
        .map(String::from)
        .into();
    args.extend(topics.cli_args());
    let output = run_orders(&args).await;
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).contains("bad_headers"),
        "{}",
        stdout(&output)
    );
    let mut args: Vec<String> = vec![
        "trace".into(),
        "raw-header".into(),
        "--admin".into(),
        service.url(""),
    ];
    args.extend(topics.cli_args());
    let output = run_orders(&args).await;
    assert_eq!(
        output.status.code(),
        Some(3),
        "on the topic, not persisted: {output:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_a_sku_are_refused_at_the_gateway_and_set_aside_from_the_topic() {
    let topics = Topics::create(2).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    for sku in ["A\u{0}B", "line\nbreak", "\u{85}"] {
        let response = http()
            .post(gateway.url("/orders"))
            .json(
                &json!({"customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
                          "items": [{"sku": sku, "quantity": 1}], "totalAmount": 1}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{sku:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["details"][0]["path"], "/items/0/sku", "{body}");
        assert_eq!(
            body["details"][0]["message"],
            "must not contain control characters"
        );
    }
    // The same from another producer, straight onto the topic.
    let nul = event_json("nul-sku").replace("SKU-1", "SKU\\u00001");
    topics.produce("nul-sku", nul.as_bytes()).await;
    let late = event_json("late-year")
        .replace("2025-12-05T21:15:00.000Z", "9999-12-31T23:59:59.999-00:01");
    topics.produce("late-year", late.as_bytes()).await;
    valid_orders_go_through(&topics, &service, "after-bad-values").await;
    let kinds: Vec<_> = dead_letters(&topics, 2)
        .await
        .into_iter()
        .map(|(key, d)| (key, d.error_kind.unwrap()))
        .collect();
    assert!(
        kinds.contains(&("nul-sku".into(), "contract_violation".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("late-year".into(), "contract_violation".into())),
        "{kinds:?}"
    );
}

/// A value the store refuses for good although the contract allows it: a trigger the test
/// adds behind the service's back, on either backend.
async fn a_batch_the_store_refuses_in_part_is_split_and_only_the_refused_record_is_set_aside(
    database_url: &str,
    refuse: &str,
) {
    let topics = Topics::create(1).await;
    // Migrate first, so that the trigger has its table.
    orders_store::migrate(database_url).await.unwrap();
    execute(database_url, refuse).await;
    // One batch: every record is fetched before the service starts.
    let mut ids = Vec::new();
    for i in 0..30 {
        let id = if i == 15 {
            "refused-by-the-store".to_owned()
        } else {
            format!("around-{i}")
        };
        topics.produce(&id, event_json(&id).as_bytes()).await;
        ids.push(id);
    }
    let service = spawn_consumer_on(&topics, database_url).await;
    for id in ids.iter().filter(|id| id.starts_with("around")) {
        persisted(&service, id).await;
    }
    let dead = dead_letters(&topics, 1).await;
    assert_eq!(dead[0].0, "refused-by-the-store");
    assert_eq!(dead[0].1.error_kind.as_deref(), Some("store_refused"));
    assert!(
        dead[0]
            .1
            .error_message
            .as_deref()
            .unwrap()
            .contains("refused by a test trigger"),
        "{:?}",
        dead[0].1
    );
    valid_orders_go_through(&topics, &service, "after-split").await;
    let (_, stats) = get_json(&service.url("/stats")).await;
    assert_eq!(
        (stats["created"].as_u64(), stats["rejected"].as_u64()),
        (Some(34), Some(1)),
        "{stats}"
    );
}

async fn execute(url: &str, sql: &str) {
    use sqlx::{Connection, Executor};
    if url.starts_with("sqlite") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        conn.execute(sql).await.unwrap();
        conn.close().await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        conn.execute(sql).await.unwrap();
        conn.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_sqlite_refuses_is_found_in_its_batch_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orders.db").display());
    a_batch_the_store_refuses_in_part_is_split_and_only_the_refused_record_is_set_aside(
        &url,
        "CREATE TRIGGER refuse BEFORE INSERT ON orders \
         WHEN NEW.correlation_id = 'refused-by-the-store' \
         BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_postgres_refuses_is_found_in_its_batch_and_set_aside() {
    let db = crate::scale::Database::create("orders_test_refuse").await;
    a_batch_the_store_refuses_in_part_is_split_and_only_the_refused_record_is_set_aside(
        &db.url,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.correlation_id = 'refused-by-the-store' THEN \
         RAISE EXCEPTION 'refused by a test trigger'; END IF; RETURN NEW; END $$; \
         CREATE TRIGGER refuse BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_topic_with_fewer_partitions_takes_every_dead_letter() {
    let topics = Topics::create(4).await;
    // The dead-letter topic again, with one partition (as a broker's default would make it).
    let topics = Topics {
        dead_letters: format!("{}-one", topics.dead_letters),
        ..topics
    };
    orders_kafka::admin::create_topics(
        &topics.kafka,
        &[orders_kafka::admin::TopicSpec::new(
            topics.dead_letters.clone(),
            1,
            1,
        )],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let service = spawn_consumer(&topics).await;
    for i in 0..8 {
        topics.produce(&format!("poison-{i}"), b"{not json").await;
    }
    valid_orders_go_through(&topics, &service, "after-one-partition").await;
    assert_eq!(dead_letters(&topics, 8).await.len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_reused_for_another_order_is_set_aside_and_a_redelivery_is_not() {
    let topics = Topics::create(2).await;
    let service = spawn_consumer(&topics).await;
    topics
        .produce("reused", event_json("reused").as_bytes())
        .await;
    persisted(&service, "reused").await;
    // The same event again: harmless.
    topics
        .produce("reused", event_json("reused").as_bytes())
        .await;
    // Another order under the same id: not applied, set aside.
    let other = event_json("reused").replace("\"totalAmount\":150", "\"totalAmount\":99");
    topics.produce("reused", other.as_bytes()).await;
    valid_orders_go_through(&topics, &service, "after-reuse").await;
    let dead = dead_letters(&topics, 1).await;
    assert_eq!(
        dead[0].1.error_kind.as_deref(),
        Some("conflicting_duplicate")
    );
    assert!(
        dead[0]
            .1
            .error_message
            .as_deref()
            .unwrap()
            .contains("totalAmount")
    );
    let (_, order) = get_json(&service.url("/orders/reused")).await;
    assert_eq!(order["totalAmount"], 150, "the first order stands");
    let (_, stats) = get_json(&service.url("/stats")).await;
    assert_eq!(stats["duplicates"], 1, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_producer_that_hits_a_fatal_error_is_replaced_and_publishing_goes_on() {
    let topics = Topics::create(1).await;
    let publisher =
        KafkaPublisher::new(&topics.kafka, &topics.topic, &ProducerSettings::default()).unwrap();
    let record = |id: &str| Record {
        topic: topics.topic.clone(),
        key: Some(id.as_bytes().to_vec()),
        value: Some(event_json(id).into_bytes()),
        ..Record::default()
    };
    publisher
        .publish_record(&record("before-fatal"))
        .await
        .unwrap();
    publisher.inject_fatal_error();
    // The next publication notices the fatal error, replaces the producer, and goes on.
    let after = eventually(
        "a publication after the fatal error",
        Duration::from_secs(20),
        || async { publisher.publish_record(&record("after-fatal")).await.ok() },
    )
    .await;
    assert!(after.offset >= 1, "{after:?}");
    publisher.health().unwrap();
    assert_eq!(topics.count(&topics.topic).await, 2);
}

/// The saga's services stand on the same runtime: the inventory-service, fed what any
/// producer can write to `order_created` (a header key that is not UTF-8, a value that is
/// not JSON, the same id again with other items), sets each aside with its reason and
/// reserves for the valid orders written after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inventory_service_sets_aside_what_any_producer_writes_and_goes_on() {
    use orders_kafka::Consumer;
    let topics = Topics::create(2).await;
    let inventory = crate::helpers::spawn_inventory(&topics, &[("SKU-1", 100)]).await;
    let producer = topics.producer();
    let raw = Record {
        topic: topics.topic.clone(),
        key: Some(b"inv-raw".to_vec()),
        value: Some(event_json("inv-raw").into_bytes()),
        ..Record::default()
    };
    producer
        .publish_with_raw_header(&raw, b"k\xff\xfe", b"v")
        .await
        .unwrap();
    topics.produce("inv-garbage", b"{not json").await;
    topics
        .produce("inv-twice", event_json("inv-twice").as_bytes())
        .await;
    let mut other: Value = serde_json::from_str(&event_json("inv-twice")).unwrap();
    other["items"] = json!([{"sku": "SKU-1", "quantity": 7}]);
    topics
        .produce("inv-twice", other.to_string().as_bytes())
        .await;
    for i in 0..5 {
        let id = format!("inv-valid-{i}");
        topics.produce(&id, event_json(&id).as_bytes()).await;
    }

    for id in (0..5)
        .map(|i| format!("inv-valid-{i}"))
        .chain(["inv-twice".to_owned()])
    {
        eventually(
            &format!("{id} to be reserved"),
            Duration::from_secs(30),
            || {
                let url = format!("{}?correlationId={id}", inventory.url("/reservations"));
                async move { (get_json(&url).await.0 == 200).then_some(()) }
            },
        )
        .await;
    }
    let (status, _) = get_json(&inventory.url("/readyz")).await;
    assert_eq!(
        status, 200,
        "the inventory-service is ready after the bad records"
    );
    let pipeline = topics.pipeline();
    let mut kinds: Vec<(String, Option<String>)> = topics
        .read(pipeline.dead_letters(Consumer::Inventory), 3)
        .await
        .iter()
        .map(|r| (r.key_text().into_owned(), DeadLetter::of(r).error_kind))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["inv-garbage", "inv-raw", "inv-twice"],
        "{kinds:?}"
    );
    assert_eq!(kinds[1].1.as_deref(), Some("bad_headers"), "{kinds:?}");
}
