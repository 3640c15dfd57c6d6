//! Starting real components for tests: one nisshi broker per test binary, and per test
//! its own topics, consumer group, SQLite file and services on port 0, so tests run in
//! parallel without seeing each other.

use orders_consumer::ConsumerConfig;
use orders_core::saga::EventKind;
use orders_gateway::GatewayConfig;
use orders_kafka::ReceivedRecord;
use orders_kafka::admin::{self, TopicSpec};
use orders_kafka::reader::{self, StartFrom, TopicReader};
use orders_kafka::{Consumer, KafkaConfig, KafkaPublisher, ProducerSettings, Record};
use orders_nisshi::{Broker, BrokerConfig};
use serde_json::{Value, json};
use std::fs::{self, File};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The broker every test of this binary shares (in memory; the watchdog of
/// `orders-nisshi` stops it when the binary exits).
pub fn broker() -> &'static Broker {
    static BROKER: OnceLock<Broker> = OnceLock::new();
    BROKER.get_or_init(|| {
        init_logging();
        Broker::start(BrokerConfig {
            binary: Some(nisshi()),
            ..BrokerConfig::default()
        })
        .expect("the test broker did not start")
    })
}

/// The nisshi binary, installed with cargo on first use when this machine has none (once
/// per test binary: every test that starts a broker of its own waits for the same
/// install instead of failing or racing it).
pub fn nisshi() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            orders_nisshi::ensure_installed(|line| eprintln!("installing nisshi: {line}"))
                .expect("nisshi is needed by the tests and could not be installed")
        })
        .clone()
}

/// A broker of the test's own on durable sqlite storage in `dir`, so that it can be
/// killed and restarted on the same data; started off the async workers.
pub async fn durable_broker(dir: &std::path::Path) -> Broker {
    let storage = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        Broker::start(BrokerConfig {
            binary: Some(nisshi()),
            storage: orders_nisshi::Storage::sqlite(storage),
            ..BrokerConfig::default()
        })
        .unwrap()
    })
    .await
    .unwrap()
}

fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,librdkafka=error".into()),
        )
        .with_test_writer()
        .try_init();
}

/// A short random suffix for names that must be unique per test.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// One test's slice of the broker: its own topics and consumer group.
#[derive(Debug, Clone)]
pub struct Topics {
    pub kafka: KafkaConfig,
    pub topic: String,
    pub dead_letters: String,
    pub group: String,
}

impl Topics {
    /// Creates `order_created-<random>` and its dead-letter topic with `partitions` on
    /// the shared broker.
    pub async fn create(partitions: i32) -> Self {
        let brokers = tokio::task::spawn_blocking(|| broker().bootstrap_servers())
            .await
            .unwrap();
        Self::create_on(&brokers, partitions).await
    }

    /// The same on the broker at `brokers` (for tests that run a broker of their own).
    pub async fn create_on(brokers: &str, partitions: i32) -> Self {
        let kafka = KafkaConfig::new(brokers, "orders-tests");
        let topic = unique("order_created");
        let topics = Self {
            kafka,
            dead_letters: format!("{topic}-dlt"),
            topic,
            group: unique("order-service-group"),
        };
        let specs: Vec<_> = topics
            .pipeline()
            .all()
            .into_iter()
            .map(|name| TopicSpec::new(name, partitions, 1))
            .collect();
        admin::create_topics(&topics.kafka, &specs, Duration::from_secs(10))
            .await
            .unwrap();
        topics
    }

    /// Every topic of the pipeline for this test: `topic` for order_created,
    /// `dead_letters` for the order-service's, and `<topic>.<name>` for the others.
    pub fn pipeline(&self) -> orders_kafka::Topics {
        let mut pipeline = orders_kafka::Topics::prefixed(&format!("{}.", self.topic));
        pipeline.set(EventKind::OrderCreated, self.topic.clone());
        pipeline.set_dead_letters(Consumer::OrderService, self.dead_letters.clone());
        pipeline
    }

    /// A publisher of raw records, as any other Kafka client would write them.
    pub fn producer(&self) -> KafkaPublisher {
        KafkaPublisher::new(&self.kafka, &self.topic, &ProducerSettings::default()).unwrap()
    }

    /// Writes `value` with `key` to the order_created topic and waits for the ack.
    pub async fn produce(&self, key: &str, value: &[u8]) {
        let record = Record {
            topic: self.topic.clone(),
            key: Some(key.as_bytes().to_vec()),
            value: Some(value.to_vec()),
            ..Record::default()
        };
        self.producer().publish_record(&record).await.unwrap();
    }

    /// The first `n` records of `topic`, read from the beginning of every partition.
    pub async fn read(&self, topic: &str, n: usize) -> Vec<ReceivedRecord> {
        let reader = TopicReader::follow(
            &self.kafka,
            topic,
            StartFrom::Beginning,
            Duration::from_secs(10),
        )
        .await
        .unwrap();
        let mut records = Vec::new();
        while records.len() < n {
            let Ok(record) = tokio::time::timeout(Duration::from_secs(20), reader.recv()).await
            else {
                panic!("only {} of {n} records arrived on {topic}", records.len());
            };
            records.push(record.unwrap());
        }
        records
    }

    /// How many records `topic` holds, over all partitions.
    pub async fn count(&self, topic: &str) -> i64 {
        let mut total = 0;
        for partition in admin::partitions(&self.kafka, topic, Duration::from_secs(10))
            .await
            .unwrap()
        {
            let (low, high) =
                reader::watermarks(&self.kafka, topic, partition, Duration::from_secs(10))
                    .await
                    .unwrap();
            total += high - low;
        }
        total
    }

    /// `--brokers` and every topic for the `orders` binary.
    pub fn cli_args(&self) -> Vec<String> {
        let pipeline = self.pipeline();
        let mut args = vec![
            "--brokers".into(),
            self.kafka.brokers.clone(),
            "--topic".into(),
            self.topic.clone(),
        ];
        for (kind, name) in pipeline.events().skip(1) {
            args.push(format!("--topic-{}", kind.as_str().replace('_', "-")));
            args.push(name.to_owned());
        }
        for (consumer, flag) in [
            (Consumer::Inventory, "--topic-inventory-dlt"),
            (Consumer::Payment, "--topic-payment-dlt"),
            (Consumer::Notification, "--topic-notification-dlt"),
        ] {
            args.push(flag.into());
            args.push(pipeline.dead_letters(consumer).to_owned());
        }
        args
    }
}

/// A service running in this process on port 0, stopped when dropped.
#[derive(Debug)]
pub struct Service {
    pub address: SocketAddr,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Service {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Shuts the service down as SIGTERM would and waits for it to finish.
    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .unwrap()
                .unwrap();
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn spawn<F, Fut>(start: F) -> Service
where
    F: FnOnce(TcpListener, CancellationToken) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let task = tokio::spawn(start(listener, stop.clone()));
    Service {
        address,
        stop,
        task: Some(task),
    }
}

pub async fn spawn_gateway(topics: &Topics) -> Service {
    let publisher = Arc::new(topics.producer());
    spawn(|listener, stop| async move {
        orders_gateway::run(
            listener,
            publisher.clone(),
            GatewayConfig::default(),
            stop.cancelled_owned(),
        )
        .await
        .unwrap();
        publisher.flush(Duration::from_secs(5)).await.unwrap();
    })
    .await
}

/// The order-service on a SQLite file of its own.
pub struct OrderService {
    pub service: Service,
    pub database_url: String,
    pub dir: Option<tempfile::TempDir>,
}

impl OrderService {
    pub fn url(&self, path: &str) -> String {
        self.service.url(path)
    }
}

pub async fn spawn_consumer(topics: &Topics) -> OrderService {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("orders.db").display());
    let mut service = spawn_consumer_on(topics, &database_url).await;
    service.dir = Some(dir);
    service
}

pub async fn spawn_consumer_on(topics: &Topics, database_url: &str) -> OrderService {
    let store = orders_store::connect(database_url, orders_store::StoreOptions::default())
        .await
        .unwrap();
    let kafka = topics.kafka.with_client_id("order-service");
    let config = ConsumerConfig::with_topics(topics.pipeline(), &topics.group);
    let service = spawn(|listener, stop| async move {
        orders_consumer::run(
            &kafka,
            Arc::new(store.clone()),
            Arc::new(store.outbox()),
            config,
            listener,
            stop.cancelled_owned(),
        )
        .await
        .unwrap();
        store.close().await;
    })
    .await;
    OrderService {
        service,
        database_url: database_url.to_owned(),
        dir: None,
    }
}

/// A saga service (inventory or payment) in this process, on a SQLite file of its own
/// unless given a database.
pub struct SagaService {
    pub service: Service,
    pub database_url: String,
    pub dir: Option<tempfile::TempDir>,
}

impl SagaService {
    pub fn url(&self, path: &str) -> String {
        self.service.url(path)
    }
}

fn sqlite_in(dir: &tempfile::TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}

/// The inventory-service for `topics`, with `stock` set before it starts.
pub async fn spawn_inventory(topics: &Topics, stock: &[(&str, u64)]) -> SagaService {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_in(&dir, "inventory.db");
    let mut service = spawn_inventory_on(topics, &url, stock).await;
    service.dir = Some(dir);
    service
}

pub async fn spawn_inventory_on(
    topics: &Topics,
    database_url: &str,
    stock: &[(&str, u64)],
) -> SagaService {
    let store =
        orders_store::inventory::connect(database_url, orders_store::StoreOptions::default())
            .await
            .unwrap();
    let levels: Vec<(String, u64)> = stock.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect();
    store.set_stock(&levels).await.unwrap();
    let kafka = topics.kafka.with_client_id("inventory-service");
    let pipeline = topics.pipeline();
    let config = orders_inventory::config(&pipeline, format!("{}-inventory", topics.group));
    let service = spawn(|listener, stop| async move {
        orders_inventory::run(
            &kafka,
            store.clone(),
            pipeline,
            config,
            listener,
            stop.cancelled_owned(),
        )
        .await
        .unwrap();
        store.close().await;
    })
    .await;
    SagaService {
        service,
        database_url: database_url.to_owned(),
        dir: None,
    }
}

/// The payment-service for `topics` with the simulated provider `provider`.
pub async fn spawn_payment(
    topics: &Topics,
    provider: orders_payment::SimulatedProvider,
) -> SagaService {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_in(&dir, "payments.db");
    let store = orders_store::payments::connect(&url, orders_store::StoreOptions::default())
        .await
        .unwrap();
    let kafka = topics.kafka.with_client_id("payment-service");
    let pipeline = topics.pipeline();
    let config = orders_payment::config(&pipeline, format!("{}-payment", topics.group));
    let service = spawn(|listener, stop| async move {
        orders_payment::run(
            &kafka,
            store.clone(),
            Arc::new(provider),
            pipeline,
            config,
            listener,
            stop.cancelled_owned(),
        )
        .await
        .unwrap();
        store.close().await;
    })
    .await;
    SagaService {
        service,
        database_url: url,
        dir: Some(dir),
    }
}

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
pub async fn eventually<T, Fut>(what: &str, timeout: Duration, mut check: impl FnMut() -> Fut) -> T
where
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A valid order body.
/// POSTs a valid order to `orders_url` with `x-correlation-id: correlation_id`.
pub async fn post_order(orders_url: &str, correlation_id: &str) -> reqwest::Response {
    http()
        .post(orders_url)
        .header("x-correlation-id", correlation_id)
        .json(&order_body())
        .send()
        .await
        .unwrap()
}

pub fn order_body() -> Value {
    json!({
        "customerId": "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
        "items": [{"sku": "SKU-1", "quantity": 2}],
        "totalAmount": 150
    })
}

/// An `order_created` value in the contract's format, as another producer would write it.
pub fn event_json(correlation_id: &str) -> String {
    format!(
        r#"{{"correlationId":"{correlation_id}","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{{"sku":"SKU-1","quantity":2}}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}}"#
    )
}

/// GETs `url` and returns the status and JSON body (Null when not JSON).
pub async fn get_json(url: &str) -> (u16, Value) {
    let response = http().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The order-service's order, once it has it.
pub async fn persisted(service: &OrderService, correlation_id: &str) -> Value {
    let url = service.url(&format!(
        "/orders/{}",
        orders_cli::client::path_segment(correlation_id)
    ));
    eventually(
        &format!("order {correlation_id} to be persisted"),
        Duration::from_secs(30),
        || async {
            let (status, body) = get_json(&url).await;
            (status == 200).then_some(body)
        },
    )
    .await
}

/// The `orders` binary under test.
pub fn orders_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_orders"))
}

/// Runs `orders ARGS` to completion with a clean environment for the pipeline's variables.
pub async fn run_orders(args: &[String]) -> std::process::Output {
    let mut command = tokio::process::Command::new(orders_bin());
    command
        .args(args)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    for var in [
        "KAFKA_BROKERS",
        "KAFKA_BROKER",
        "KAFKA_TOPIC_ORDER_CREATED",
        "DATABASE_URL",
        "ORDERS_GATEWAY_URL",
        "ORDERS_ADMIN_URL",
    ] {
        command.env_remove(var);
    }
    tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("orders did not finish within 60 s")
        .unwrap()
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
pub fn assert_stderr_has(output: &std::process::Output, text: &str) {
    let err = stderr(output);
    assert!(err.contains(text), "expected {text:?} on stderr:\n{err}");
}

/// A venv under the target directory named `name`, holding the pinned `packages` from
/// PyPI, installed on first use (and again when the list changes). A file lock serialises
/// the install between test binaries and `cargo test` runs that share the target
/// directory. Without python3 (with venv and pip) the calling test fails, never skips.
pub fn python_venv(name: &str, packages: &[&str]) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(&root).unwrap();
    let lock = File::create(root.join(format!("{name}.lock"))).unwrap();
    lock.lock().unwrap();
    let venv = root.join(name);
    let marker = venv.join("orders-installed.txt");
    let wanted = packages.join("\n");
    if fs::read_to_string(&marker).is_ok_and(|found| found == wanted) {
        return venv;
    }
    let python = Command::new("python3").arg("--version").output();
    assert!(
        python.as_ref().is_ok_and(|o| o.status.success()),
        "this test needs python3 (with the venv module and pip) to install {packages:?} \
         from PyPI; install it (Debian: apt-get install python3 python3-venv python3-pip): \
         {python:?}"
    );
    run_checked(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    );
    run_checked(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages),
        "pip install from PyPI",
    );
    fs::write(&marker, wanted).unwrap();
    venv
}

pub fn run_checked(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what} could not run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The notification-service for `topics` with `channels`, on a SQLite file of its own,
/// delivering with `settings`.
pub async fn spawn_notification(
    topics: &Topics,
    channels: orders_notification::ChannelConfig,
    settings: orders_notification::DeliverySettings,
) -> SagaService {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_in(&dir, "notifications.db");
    let store = orders_store::notifications::connect(&url, orders_store::StoreOptions::default())
        .await
        .unwrap();
    let kafka = topics.kafka.with_client_id("notification-service");
    let pipeline = topics.pipeline();
    let config = orders_notification::config(&pipeline, format!("{}-notification", topics.group));
    let service = spawn(|listener, stop| async move {
        orders_notification::run(
            &kafka,
            store.clone(),
            pipeline,
            &channels,
            settings,
            config,
            listener,
            stop.cancelled_owned(),
        )
        .await
        .unwrap();
        store.close().await;
    })
    .await;
    SagaService {
        service,
        database_url: url,
        dir: Some(dir),
    }
}
