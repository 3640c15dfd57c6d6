//! The notification-service against real receivers: an HTTP receiver started here (axum
//! on port 0) that checks every signature itself and fails on demand, a real SMTP server
//! nobody here wrote (aiosmtpd, from PyPI, into a venv under the target directory), the
//! shared broker and SQLite. Final events come from the whole saga in one test and are
//! produced straight onto `order_confirmed` / `order_rejected` (as the order-service's
//! relay writes them, with an `event-id` header) in the others.

use crate::helpers::{
    SagaService, Topics, eventually, get_json, http, python_venv, run_orders, spawn_notification,
    stdout, unique,
};
use crate::process::{Launch, Process, free_port};
use crate::saga::{final_order, order, records, saga};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use orders_core::api::{Notification, NotificationChannel, NotificationList, NotificationState};
use orders_core::saga::EventKind;
use orders_core::saga::payment::SimulatedPolicy;
use orders_kafka::Record;
use orders_kafka::dead_letter::DeadLetter;
use orders_notification::{ChannelConfig, DeliverySettings, EmailConfig, WebhookConfig};
use orders_runtime::Backoff;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_test_5c1d";
const CUSTOMER: &str = "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    key: String,
    correlation_id: String,
    status: u16,
    signature_ok: bool,
    at: Instant,
    body: Value,
}

/// A webhook receiver as an operator would write one: it checks the signature with its
/// own HMAC code, and answers by the order's id: `gone-…` 410, `down-…` 500 always,
/// `flaky-…` 503 with `Retry-After: 1` twice then 200, anything else 200.
#[derive(Clone)]
struct Receiver {
    address: SocketAddr,
    state: Arc<ReceiverState>,
}

struct ReceiverState {
    delay: Duration,
    requests: Mutex<Vec<Delivery>>,
    /// Every `down-` order is answered 200 once this is set.
    recovered: std::sync::atomic::AtomicBool,
}

impl Receiver {
    async fn start(delay: Duration) -> Self {
        let state = Arc::new(ReceiverState {
            delay,
            requests: Mutex::new(Vec::new()),
            recovered: std::sync::atomic::AtomicBool::new(false),
        });
        let app = axum::Router::new()
            .route("/hooks/orders", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { address, state }
    }

    fn url(&self) -> String {
        format!(
            "http://{}/hooks/orders?token=kept-out-of-records",
            self.address
        )
    }

    fn requests(&self) -> Vec<Delivery> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The requests answered 2xx, by correlation id.
    fn delivered(&self) -> HashMap<String, Vec<Delivery>> {
        let mut by_id: HashMap<String, Vec<Delivery>> = HashMap::new();
        for d in self.requests().into_iter().filter(|d| d.status == 200) {
            by_id.entry(d.correlation_id.clone()).or_default().push(d);
        }
        by_id
    }
}

/// The receiver's side of the signature: `t=<ts>,v1=<hex>` over `"<ts>.<body>"`.
fn signature_ok(headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(header) = headers
        .get("orders-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let signature_ok = signature_ok(&headers, &body);
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let correlation_id = parsed["correlationId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    tokio::time::sleep(state.delay).await;
    let (status, retry_after) = {
        let mut requests = state.requests.lock().unwrap();
        let before = requests.iter().filter(|d| d.key == key).count();
        let recovered = state.recovered.load(std::sync::atomic::Ordering::SeqCst);
        let answer = if !signature_ok {
            (StatusCode::UNAUTHORIZED, None)
        } else if correlation_id.starts_with("gone-") && !recovered {
            (StatusCode::GONE, None)
        } else if correlation_id.starts_with("down-") && !recovered {
            (StatusCode::INTERNAL_SERVER_ERROR, None)
        } else if correlation_id.starts_with("flaky-") && before < 2 {
            (StatusCode::SERVICE_UNAVAILABLE, Some("1"))
        } else {
            (StatusCode::OK, None)
        };
        requests.push(Delivery {
            key,
            correlation_id,
            status: answer.0.as_u16(),
            signature_ok,
            at: Instant::now(),
            body: parsed,
        });
        answer
    };
    match retry_after {
        Some(seconds) => (status, [("retry-after", seconds)], "try later").into_response(),
        None => (status, "").into_response(),
    }
}

/// Deliveries fast enough for tests: short timeouts and backoff, three attempts.
fn fast() -> DeliverySettings {
    DeliverySettings {
        concurrency: 8,
        attempt_timeout: Duration::from_secs(2),
        max_attempts: 3,
        backoff: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
        poll: Duration::from_millis(50),
        shutdown_grace: Duration::from_secs(1),
        ..DeliverySettings::default()
    }
}

fn webhook(receiver: &Receiver) -> ChannelConfig {
    ChannelConfig {
        webhook: Some(WebhookConfig {
            url: receiver.url(),
            secret: Some(SECRET.into()),
        }),
        ..ChannelConfig::default()
    }
}

/// Writes a final event for `id` onto its topic, as the order-service's relay does.
async fn produce_final(topics: &Topics, kind: EventKind, id: &str, customer: &str) {
    topics
        .producer()
        .publish_record(&final_record(topics, kind, id, customer))
        .await
        .unwrap();
}

fn final_record(topics: &Topics, kind: EventKind, id: &str, customer: &str) -> Record {
    let value = match kind {
        EventKind::OrderConfirmed => json!({
            "correlationId": id, "customerId": customer,
            "items": [{"sku": "SKU-1", "quantity": 1}], "totalAmount": 10,
            "paymentId": format!("pay_{id}"), "confirmedAt": "2025-12-05T21:15:00.000Z"}),
        _ => json!({
            "correlationId": id, "customerId": customer,
            "items": [{"sku": "SKU-1", "quantity": 1}], "totalAmount": 10,
            "stage": "inventory", "reason": "out_of_stock", "detail": "SKU-1: 1 requested, 0 available",
            "shortages": [{"sku": "SKU-1", "requested": 1, "available": 0}],
            "rejectedAt": "2025-12-05T21:15:00.000Z"}),
    };
    Record {
        topic: topics.pipeline().of(kind).to_owned(),
        key: Some(id.as_bytes().to_vec()),
        value: Some(value.to_string().into_bytes()),
        headers: vec![
            (
                "event-id".into(),
                uuid::Uuid::new_v4().to_string().into_bytes(),
            ),
            ("event-type".into(), kind.as_str().as_bytes().to_vec()),
        ],
        ..Record::default()
    }
}

async fn list(base: &str, query: &str) -> NotificationList {
    let (status, body) = get_json(&format!("{base}/notifications?{query}")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// The notifications of order `id`, by channel.
async fn of_order(base: &str, id: &str) -> BTreeMap<NotificationChannel, Notification> {
    list(base, &format!("correlationId={id}"))
        .await
        .notifications
        .into_iter()
        .map(|n| (n.channel, n))
        .collect()
}

/// The notifications of order `id` once none is pending.
async fn settled(
    service: &SagaService,
    id: &str,
    channels: usize,
) -> BTreeMap<NotificationChannel, Notification> {
    let base = service.url("");
    eventually(
        &format!("the notifications of {id} to settle"),
        Duration::from_secs(60),
        || async {
            let found = of_order(&base, id).await;
            (found.len() == channels
                && found
                    .values()
                    .all(|n| n.state != NotificationState::Pending))
            .then_some(found)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_final_order_of_the_saga_is_told_once_on_the_webhook_with_a_signature_the_receiver_accepts()
 {
    let saga = saga(3, &[("SKU-1", 1)], SimulatedPolicy::default()).await;
    let receiver = Receiver::start(Duration::ZERO).await;
    let channels = ChannelConfig {
        log: true,
        ..webhook(&receiver)
    };
    let notification = spawn_notification(&saga.topics, channels, fast()).await;
    let (confirmed, rejected) = (unique("ok"), unique("ok"));
    order(
        &saga.gateway,
        &confirmed,
        json!([{"sku": "SKU-1", "quantity": 1}]),
        10.0,
    )
    .await;
    final_order(&saga.orders, &confirmed).await;
    order(
        &saga.gateway,
        &rejected,
        json!([{"sku": "SKU-1", "quantity": 1}]),
        10.0,
    )
    .await;

    for (id, status) in [(&confirmed, "confirmed"), (&rejected, "rejected")] {
        let found = settled(&notification, id, 2).await;
        let hook = &found[&NotificationChannel::Webhook];
        assert_eq!(hook.state, NotificationState::Sent, "{hook:?}");
        assert_eq!((hook.attempts, hook.outcome.as_str()), (1, status));
        assert_eq!(
            hook.recipient.as_deref(),
            Some(format!("http://{}/hooks/orders", receiver.address).as_str()),
            "the record keeps the URL without its query"
        );
        assert_eq!(
            found[&NotificationChannel::Log].state,
            NotificationState::Sent
        );
        let delivered = &receiver.delivered()[id.as_str()];
        assert_eq!(delivered.len(), 1, "{delivered:?}");
        let request = &delivered[0];
        assert!(request.signature_ok);
        assert_eq!(
            request.key, hook.id,
            "the Idempotency-Key is the notification's id"
        );
        assert_eq!(request.body["status"], status);
        assert_eq!(request.body["customerId"], CUSTOMER);
        assert_eq!(
            request.body["items"],
            json!([{"sku": "SKU-1", "quantity": 1}])
        );
    }
    assert_eq!(
        receiver.delivered()[rejected.as_str()][0].body["reason"],
        "out_of_stock"
    );
    assert!(receiver.requests().iter().all(|d| d.signature_ok));

    // `orders trace` ends with what the customer was told, on each channel.
    let mut trace = vec![
        "trace".to_owned(),
        confirmed.clone(),
        "--admin".to_owned(),
        saga.orders.url(""),
        "--inventory".to_owned(),
        saga.inventory.url(""),
        "--payment".to_owned(),
        saga.payment.url(""),
        "--notification".to_owned(),
        notification.url(""),
    ];
    trace.extend(saga.topics.cli_args());
    let lines = run_orders(&trace).await;
    assert!(lines.status.success(), "{}", stdout(&lines));
    let text = stdout(&lines);
    let told: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("notified"))
        .collect();
    assert_eq!(told.len(), 2, "{text}");
    assert!(
        told.iter()
            .all(|l| l.contains("confirmed") && l.contains("sent after 1 attempt(s) at ")),
        "{text}"
    );
    trace.push("--json".to_owned());
    let json: Value = serde_json::from_str(&stdout(&run_orders(&trace).await)).unwrap();
    let mut channels: Vec<&str> = json["saga"]["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["channel"].as_str().unwrap())
        .collect();
    channels.sort_unstable();
    assert_eq!(channels, ["log", "webhook"], "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_fails_for_a_while_gets_each_notification_once_it_recovers_with_the_attempts_recorded()
 {
    let topics = Topics::create(2).await;
    let receiver = Receiver::start(Duration::ZERO).await;
    let settings = DeliverySettings {
        max_attempts: 5,
        ..fast()
    };
    let notification = spawn_notification(&topics, webhook(&receiver), settings).await;
    let ids: Vec<String> = (0..3).map(|_| unique("flaky")).collect();
    for (i, id) in ids.iter().enumerate() {
        let kind = if i % 2 == 0 {
            EventKind::OrderConfirmed
        } else {
            EventKind::OrderRejected
        };
        produce_final(&topics, kind, id, CUSTOMER).await;
    }
    for id in &ids {
        let hook = settled(&notification, id, 1).await[&NotificationChannel::Webhook].clone();
        assert_eq!(hook.state, NotificationState::Sent, "{hook:?}");
        assert_eq!(hook.attempts, 3, "two 503s, then delivered: {hook:?}");
        assert!(
            hook.last_error
                .as_deref()
                .is_some_and(|e| e.contains("503")),
            "{hook:?}"
        );
        let requests: Vec<Delivery> = receiver
            .requests()
            .into_iter()
            .filter(|d| &d.correlation_id == id)
            .collect();
        assert_eq!(
            requests.iter().map(|d| d.status).collect::<Vec<_>>(),
            [503, 503, 200]
        );
        assert!(requests.iter().all(|d| d.key == hook.id));
        for pair in requests.windows(2) {
            assert!(
                pair[1].at - pair[0].at >= Duration::from_millis(950),
                "Retry-After: 1 is honoured over the 50 ms backoff"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notification_refused_or_failing_past_its_budget_is_dead_lettered_and_a_replay_sends_it_once_fixed()
 {
    let topics = Topics::create(2).await;
    let receiver = Receiver::start(Duration::ZERO).await;
    let notification = spawn_notification(&topics, webhook(&receiver), fast()).await;
    let (gone, down) = (unique("gone"), unique("down"));
    produce_final(&topics, EventKind::OrderConfirmed, &gone, CUSTOMER).await;
    produce_final(&topics, EventKind::OrderRejected, &down, CUSTOMER).await;

    let refused = settled(&notification, &gone, 1).await[&NotificationChannel::Webhook].clone();
    assert_eq!(refused.state, NotificationState::Failed);
    assert_eq!(refused.attempts, 1, "a 410 is not retried");
    assert_eq!(refused.reason.as_deref(), Some("delivery_refused"));
    let exhausted = settled(&notification, &down, 1).await[&NotificationChannel::Webhook].clone();
    assert_eq!(exhausted.state, NotificationState::Failed);
    assert_eq!(exhausted.attempts, 3);
    assert_eq!(exhausted.reason.as_deref(), Some("retries_exhausted"));
    assert!(
        exhausted
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("500"))
    );

    let pipeline = topics.pipeline();
    let dead_letters = pipeline
        .dead_letters(orders_kafka::Consumer::Notification)
        .to_owned();
    let dead = eventually("both dead letters", Duration::from_secs(30), || async {
        let found = records(&topics, &dead_letters).await;
        (found.len() == 2).then_some(found)
    })
    .await;
    for record in &dead {
        let why = DeadLetter::of(record);
        let id = record.key_text().into_owned();
        let (topic, kind) = if id == gone {
            (pipeline.of(EventKind::OrderConfirmed), "delivery_refused")
        } else {
            (pipeline.of(EventKind::OrderRejected), "retries_exhausted")
        };
        assert_eq!(why.original_topic.as_deref(), Some(topic));
        assert_eq!(why.error_kind.as_deref(), Some(kind));
        assert_eq!(
            why.consumer_group,
            Some(format!("{}-notification", topics.group))
        );
        let value: Value = serde_json::from_slice(record.value.as_deref().unwrap()).unwrap();
        assert_eq!(
            value["correlationId"],
            id.as_str(),
            "the original event, whole"
        );
        assert_eq!(record.header("notification-channel"), Some(&b"webhook"[..]));
    }

    // The receiver is fixed: replaying the dead letters sends each notification again, once.
    receiver
        .state
        .recovered
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let mut args = vec![
        "dlq".to_owned(),
        "replay".into(),
        "--all".into(),
        "--replay-group".into(),
        unique("replay"),
    ];
    args.extend(topics.cli_args().into_iter().map(|a| {
        if a == topics.topic {
            dead_letters.clone()
        } else {
            a
        }
    }));
    let output = run_orders(&args).await;
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).starts_with("replayed"),
        "{}",
        stdout(&output)
    );
    for id in [&gone, &down] {
        let base = notification.url("");
        let sent = eventually(
            "the replayed notification to be sent",
            Duration::from_secs(30),
            || async {
                let hook = of_order(&base, id)
                    .await
                    .remove(&NotificationChannel::Webhook)?;
                (hook.state == NotificationState::Sent).then_some(hook)
            },
        )
        .await;
        assert_eq!(sent.replays, 1);
        assert_eq!(receiver.delivered()[id.as_str()].len(), 1);
    }
}

/// A real SMTP server: aiosmtpd's command line, storing what arrives in a maildir.
struct SmtpServer {
    port: u16,
    maildir: PathBuf,
    child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    async fn start() -> Self {
        let venv = tokio::task::spawn_blocking(|| python_venv("aiosmtpd", &["aiosmtpd==1.4.6"]))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("maildir");
        let port = free_port();
        let child = tokio::process::Command::new(venv.join("bin/python"))
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        eventually("aiosmtpd to listen", Duration::from_secs(30), || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        Self {
            port,
            maildir,
            child,
            _dir: dir,
        }
    }

    /// Every message that arrived, as raw text.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_reaches_a_real_smtp_server_and_a_customer_without_an_address_is_skipped_with_the_reason()
 {
    let topics = Topics::create(2).await;
    let smtp = SmtpServer::start().await;
    let channels = ChannelConfig {
        email: Some(EmailConfig {
            smtp_url: format!("smtp://127.0.0.1:{}", smtp.port),
            from: "Orders <orders@shop.example>".into(),
        }),
        ..ChannelConfig::default()
    };
    let notification = spawn_notification(&topics, channels, fast()).await;
    let known = uuid::Uuid::new_v4().to_string();
    let unknown = uuid::Uuid::new_v4().to_string();
    let response = http()
        .put(notification.url(&format!("/customers/{known}")))
        .json(&json!({"email": "ada@shop.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let refused = http()
        .put(notification.url(&format!("/customers/{unknown}")))
        .json(&json!({"email": "not an address"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        400,
        "an address email cannot reach is refused"
    );

    let (told, skipped) = (unique("mail"), unique("mail"));
    produce_final(&topics, EventKind::OrderConfirmed, &told, &known).await;
    produce_final(&topics, EventKind::OrderRejected, &skipped, &unknown).await;

    let sent = settled(&notification, &told, 1).await[&NotificationChannel::Email].clone();
    assert_eq!(sent.state, NotificationState::Sent, "{sent:?}");
    assert_eq!(sent.recipient.as_deref(), Some("ada@shop.example"));
    let message = eventually(
        "the email in the maildir",
        Duration::from_secs(10),
        || async { smtp.messages().into_iter().next() },
    )
    .await;
    assert!(message.contains("To: ada@shop.example"), "{message}");
    assert!(
        message.contains(&format!("Subject: Your order {told} is confirmed")),
        "{message}"
    );
    assert!(
        message.contains(&format!("Message-ID: <{}@orders.notification>", sent.id)),
        "the Message-ID is the notification's id: {message}"
    );
    assert!(message.contains("multipart/alternative"), "{message}");
    assert!(
        message.contains("text/plain") && message.contains("text/html"),
        "{message}"
    );

    let skip = settled(&notification, &skipped, 1).await[&NotificationChannel::Email].clone();
    assert_eq!(skip.state, NotificationState::Skipped);
    assert_eq!(skip.attempts, 0);
    let reason = skip.reason.unwrap_or_default();
    assert!(
        reason.starts_with("no_email_address:") && reason.contains(&unknown),
        "{reason}"
    );
    assert_eq!(
        smtp.messages().len(),
        1,
        "nothing is sent for the skipped one"
    );
}

/// Exactly one record per order, outcome and channel, read with SQL of the test's own;
/// the most attempts any of them took.
async fn assert_one_record_each(database_url: &str, ids: &[String], channels: &[&str]) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(database_url).await.unwrap();
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT correlation_id, outcome, channel, state, attempts FROM notifications",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (id, _, channel, state, _) in &rows {
        assert_eq!(state, "sent", "{id} {channel}");
        *seen.entry((id.clone(), channel.clone())).or_default() += 1;
    }
    assert_eq!(rows.len(), ids.len() * channels.len());
    for id in ids {
        for channel in channels {
            assert_eq!(
                seen.get(&(id.clone(), (*channel).to_owned())),
                Some(&1),
                "{id} {channel}"
            );
        }
    }
    rows.iter().map(|r| r.4).max().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_service_under_load_leaves_one_notification_per_order_outcome_and_channel() {
    let topics = Topics::create(3).await;
    // Slow enough that deliveries are in flight when the service is killed.
    let receiver = Receiver::start(Duration::from_millis(30)).await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("notifications.db").display());
    let url = receiver.url();
    let launch = Launch::notification(
        &topics,
        &database_url,
        &[
            "--webhook-url",
            &url,
            "--webhook-secret",
            SECRET,
            "--log-notifications",
            "--delivery-timeout",
            "2s",
            "--delivery-concurrency",
            "8",
            "--retry-initial",
            "100ms",
            "--retry-max",
            "500ms",
        ],
    );
    let mut service: Process = launch.start(dir.path(), &[]).await;

    let ids: Vec<String> = (0..150).map(|_| unique("load")).collect();
    let producer = topics.producer();
    let sends = ids.iter().enumerate().map(|(i, id)| {
        let kind = if i % 3 == 0 {
            EventKind::OrderRejected
        } else {
            EventKind::OrderConfirmed
        };
        let record = final_record(&topics, kind, id, CUSTOMER);
        let producer = producer.clone();
        async move { producer.publish_record(&record).await.unwrap() }
    });
    futures::future::join_all(sends).await;

    for _ in 0..2 {
        let so_far = receiver.requests().len();
        eventually("deliveries under way", Duration::from_secs(60), || async {
            (receiver.requests().len() >= so_far + 20).then_some(())
        })
        .await;
        service.kill().await;
        service.restart().await;
    }

    let base = service.url("");
    eventually(
        "every notification sent",
        Duration::from_secs(120),
        || async {
            let counts = list(&base, "limit=1").await.counts;
            (counts.get("sent") == Some(&(ids.len() as u64 * 2))).then_some(())
        },
    )
    .await;
    service.terminate(Duration::from_secs(20)).await;
    let most = assert_one_record_each(&database_url, &ids, &["webhook", "log"]).await;
    assert!(
        most >= 2,
        "the kills caught deliveries in flight, which were made again after the restart"
    );

    let delivered = receiver.delivered();
    let requests = receiver.requests();
    let keys: HashSet<&str> = requests.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys.len(),
        ids.len(),
        "one idempotency key per notification"
    );
    for id in &ids {
        let got = delivered
            .get(id)
            .unwrap_or_else(|| panic!("{id} was never delivered"));
        let first = &got[0].key;
        assert!(
            got.iter().all(|d| &d.key == first && d.signature_ok),
            "a repeat after a crash carries the same key: {got:?}"
        );
    }
}
