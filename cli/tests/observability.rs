//! One order, followed through its trace and the services' metrics.
//!
//! The services run as real processes exporting OTLP/HTTP (JSON encoding) to a receiver
//! in this test, exactly as they would to a collector; `/metrics` is scraped over HTTP.

use crate::helpers::*;
use crate::process::*;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An OTLP/HTTP receiver that keeps every span it is sent.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start(&self) -> String {
        async fn traces(State(receiver): State<Receiver>, body: axum::body::Bytes) -> &'static str {
            let request: Value = serde_json::from_slice(&body).expect("OTLP/JSON body");
            let mut spans = receiver.spans.lock().unwrap();
            for resource in request["resourceSpans"].as_array().into_iter().flatten() {
                let service = attribute(&resource["resource"], "service.name");
                for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                    for span in scope["spans"].as_array().into_iter().flatten() {
                        let mut span = span.clone();
                        span["service"] = Value::String(service.clone().unwrap_or_default());
                        spans.push(span);
                    }
                }
            }
            "{}"
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/v1/traces", post(traces))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}")
    }

    fn named(&self, name: &str, trace_id: &str) -> Option<Value> {
        let spans = self.spans.lock().unwrap();
        spans
            .iter()
            .find(|s| s["name"] == name && s["traceId"] == trace_id)
            .cloned()
    }
}

/// The string (or integer, as a string) value of an OTLP attribute.
fn attribute(holder: &Value, key: &str) -> Option<String> {
    let attribute = holder["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)?;
    let value = &attribute["value"];
    value["stringValue"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| value["intValue"].as_str().map(str::to_owned))
        .or_else(|| value["intValue"].as_i64().map(|i| i.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_order_is_one_trace_from_http_through_kafka_to_the_database() {
    let receiver = Receiver::default();
    let endpoint = receiver.start().await;
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ];
    let topics = Topics::create(2).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("orders.db").display());
    let gateway = Launch::gateway(&topics, &[]).start(dir.path(), &env).await;
    let consumer = Launch::consumer(&topics, &database, &[])
        .start(dir.path(), &env)
        .await;

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let response = http()
        .post(gateway.url("/orders"))
        .header("traceparent", format!("00-{trace_id}-{caller_span}-01"))
        .header("x-correlation-id", "traced-1")
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);

    // The context travels in the record's headers, not in its value.
    let record = &topics.read(&topics.topic, 1).await[0];
    let traceparent = String::from_utf8(record.header("traceparent").unwrap().to_vec()).unwrap();
    assert!(
        traceparent.starts_with(&format!("00-{trace_id}-")),
        "{traceparent}"
    );

    let topic = &topics.topic;
    let find = |name: String| {
        let receiver = receiver.clone();
        async move {
            eventually(
                &format!("span {name:?} to be exported"),
                Duration::from_secs(30),
                || async { receiver.named(&name, trace_id) },
            )
            .await
        }
    };
    let http_span = find("POST /orders".to_owned()).await;
    let send = find(format!("send {topic}")).await;
    let process = find(format!("process {topic}")).await;
    let insert = find("INSERT orders".to_owned()).await;

    // Parent links: caller -> HTTP server -> producer -> consumer -> database.
    assert_eq!(http_span["parentSpanId"], caller_span);
    assert_eq!(send["parentSpanId"], http_span["spanId"]);
    assert_eq!(process["parentSpanId"], send["spanId"]);
    assert_eq!(insert["parentSpanId"], process["spanId"]);
    assert_eq!(
        traceparent,
        format!("00-{trace_id}-{}-01", send["spanId"].as_str().unwrap())
    );

    // Kinds (OTLP: 2 server, 3 client, 4 producer, 5 consumer) and the services.
    let kinds: Vec<_> = [&http_span, &send, &process, &insert]
        .map(|s| s["kind"].as_i64())
        .to_vec();
    assert_eq!(kinds, [Some(2), Some(4), Some(5), Some(3)]);
    assert_eq!(
        (http_span["service"].as_str(), process["service"].as_str()),
        (Some("api-gateway"), Some("order-service"))
    );

    // Semantic-convention attributes, and the correlation id on every span.
    for span in [&http_span, &send, &process, &insert] {
        assert_eq!(
            attribute(span, "correlation_id").as_deref(),
            Some("traced-1"),
            "{span}"
        );
    }
    assert_eq!(
        attribute(&http_span, "http.request.method").as_deref(),
        Some("POST")
    );
    assert_eq!(
        attribute(&http_span, "http.route").as_deref(),
        Some("/orders")
    );
    assert_eq!(
        attribute(&http_span, "http.response.status_code").as_deref(),
        Some("202")
    );
    assert_eq!(
        attribute(&send, "messaging.system").as_deref(),
        Some("kafka")
    );
    assert_eq!(
        attribute(&send, "messaging.destination.name").as_deref(),
        Some(topic.as_str())
    );
    assert_eq!(
        attribute(&send, "messaging.kafka.message.key").as_deref(),
        Some("traced-1")
    );
    assert_eq!(
        attribute(&process, "messaging.consumer.group.name").as_deref(),
        Some(topics.group.as_str())
    );
    assert_eq!(
        attribute(&process, "messaging.kafka.offset"),
        Some(record.offset.to_string()),
        "the consume span names the record it processed"
    );
    assert_eq!(
        attribute(&insert, "db.system.name").as_deref(),
        Some("sqlite")
    );
    assert_eq!(
        attribute(&insert, "db.collection.name").as_deref(),
        Some("orders")
    );
    drop((gateway, consumer));
}

/// The value of the sample `name{labels…}` in a Prometheus text page (labels given
/// must all match; others are ignored).
fn sample(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    page.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            let matches = metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            if matches { value.parse().ok() } else { None }
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_services_count_what_they_did_on_metrics() {
    let topics = Topics::create(2).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("orders.db").display());
    let gateway = Process::gateway(&topics, dir.path(), &[]).await;
    let consumer = Process::consumer(&topics, &database, dir.path(), &[]).await;

    let ledger = send_orders(gateway.url(""), "metered", 5, 2, Arc::default()).await;
    assert_eq!(ledger.accepted.len(), 5);
    let bad = http()
        .post(gateway.url("/orders"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    topics.produce("metered-bad", b"not json").await;
    assert_each_persisted_once(&database, &ledger.accepted, Duration::from_secs(60)).await;

    let scrape = |url: String| async move {
        let response = http().get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        response.text().await.unwrap()
    };
    let page = scrape(gateway.url("/metrics")).await;
    let requests = |status| {
        sample(
            &page,
            "orders_http_requests_total",
            &[
                ("service", "gateway"),
                ("route", "/orders"),
                ("method", "POST"),
                ("status", status),
            ],
        )
    };
    assert_eq!(requests("202"), Some(5.0), "{page}");
    assert_eq!(requests("400"), Some(1.0), "{page}");
    let published = &[("topic", topics.topic.as_str()), ("outcome", "ok")];
    assert_eq!(
        sample(&page, "orders_publish_duration_seconds_count", published),
        Some(5.0),
        "{page}"
    );
    assert!(
        sample(
            &page,
            "orders_http_request_duration_seconds_bucket",
            &[("route", "/orders"), ("le", "+Inf")]
        )
        .is_some(),
        "{page}"
    );
    assert!(
        !page.contains("metered-"),
        "no correlation id may become a label"
    );

    let page = eventually(
        "the order-service to report its lag",
        Duration::from_secs(30),
        || async {
            let page = scrape(consumer.url("/metrics")).await;
            sample(
                &page,
                "orders_consumer_lag",
                &[("topic", topics.topic.as_str())],
            )
            .map(|_| page)
        },
    )
    .await;
    assert_eq!(
        sample(&page, "orders_events_received_total", &[]),
        Some(6.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, "orders_orders_created_total", &[]),
        Some(5.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "orders_events_rejected_total",
            &[("kind", "not_json")]
        ),
        Some(1.0),
        "{page}"
    );
    assert!(
        sample(
            &page,
            "orders_db_write_duration_seconds_count",
            &[("system", "sqlite")]
        )
        .unwrap()
            >= 1.0,
        "{page}"
    );
}

/// The log of a gateway that handled one order with `correlation_id`, run with
/// `LOG_FORMAT=format` and its request logs enabled, written to a file.
async fn gateway_log(topics: &Topics, format: &str, correlation_id: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("LOG_FORMAT", format),
        ("RUST_LOG", "info,orders_gateway=debug,orders_http=debug"),
    ];
    let mut gateway = Launch::gateway(topics, &[]).start(dir.path(), &env).await;
    let response = post_order(&gateway.url("/orders"), correlation_id).await;
    assert_eq!(response.status(), 202);
    assert!(gateway.terminate(Duration::from_secs(15)).await.success());
    gateway.log()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_plain_text_in_a_file_and_json_lines_on_request() {
    let topics = Topics::create(1).await;

    let pretty = gateway_log(&topics, "pretty", "log-pretty-1").await;
    assert!(
        !pretty.contains('\x1b'),
        "colour codes in a log written to a file:\n{pretty}"
    );
    assert!(
        pretty
            .lines()
            .any(|line| line.contains("order accepted") && line.contains("log-pretty-1")),
        "no request line carries the correlation id:\n{pretty}"
    );

    let json = gateway_log(&topics, "json", "log-json-1").await;
    let lines: Vec<Value> = json
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect();
    assert!(
        lines
            .iter()
            .all(|line| line["level"].is_string() && line["timestamp"].is_string())
    );
    let accepted = lines
        .iter()
        .find(|line| line["message"] == "order accepted")
        .unwrap_or_else(|| panic!("no \"order accepted\" line:\n{json}"));
    assert_eq!(
        accepted["span"]["correlation_id"], "log-json-1",
        "{accepted}"
    );
    assert!(accepted["offset"].is_u64(), "{accepted}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_trace_export_the_callers_trace_context_still_reaches_the_record() {
    let topics = Topics::create(1).await;
    let dir = tempfile::tempdir().unwrap();
    // No OTLP endpoint: the gateway records no spans of its own.
    let gateway = Launch::gateway(&topics, &[])
        .start(dir.path(), &[("OTEL_EXPORTER_OTLP_ENDPOINT", "")])
        .await;
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let response = http()
        .post(gateway.url("/orders"))
        .header("traceparent", traceparent)
        .header("tracestate", "vendor=opaque")
        .header("x-correlation-id", "forwarded-1")
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);

    // Forwarded as it came, so a service downstream that does export joins the
    // caller's trace.
    let record = &topics.read(&topics.topic, 1).await[0];
    let header = |name: &str| {
        record
            .header(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    assert_eq!(
        header("traceparent").as_deref(),
        Some(traceparent),
        "{:?}",
        record.headers
    );
    assert_eq!(header("tracestate").as_deref(), Some("vendor=opaque"));

    // And a request without one gets no trace context made up for it.
    let response = http()
        .post(gateway.url("/orders"))
        .header("x-correlation-id", "forwarded-2")
        .json(&order_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let records = topics.read(&topics.topic, 2).await;
    let second = records
        .iter()
        .find(|r| r.key.as_deref() == Some(&b"forwarded-2"[..]))
        .unwrap();
    assert_eq!(second.header("traceparent"), None, "{:?}", second.headers);
}
