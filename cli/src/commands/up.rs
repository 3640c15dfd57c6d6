//! `orders up`: the whole pipeline on this machine in one command, without Docker.
//!
//! It uses the broker at `KAFKA_BROKERS` when one answers; otherwise it starts nisshi on
//! that port with durable sqlite storage in the data directory (installing nisshi with
//! cargo first when it is missing). Then it creates the topics and runs the gateway, the
//! order-service, the inventory-service, the payment-service and the notification-service
//! (log channel by default; webhook and email when their options are set) in this
//! process, each on a SQLite database of its own in the same directory, with the same options (and
//! environment) as the serve commands, only listening on 127.0.0.1 by default. Ctrl-C or SIGTERM stops the services first and the broker
//! last, each within a deadline; a second Ctrl-C exits at once. The data directory keeps
//! the topic and the orders for the next `orders up`.

use crate::cli::{ServiceUrls, UpArgs};
use crate::commands::{dash, serve};
use crate::shutdown;
use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use orders_kafka::admin::{self, TopicOutcome, TopicSpec};
use orders_kafka::{KafkaConfig, Topics};
use orders_nisshi::{Broker, BrokerConfig, Storage};
use orders_store::StoreOptions;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// What the services get beyond their own drain delay and shutdown timeout.
const SHUTDOWN_MARGIN: Duration = Duration::from_secs(5);
/// What the broker gets to close its storage before it is killed (nisshi gives up on its
/// own shutdown after 5 s).
const BROKER_GRACE: Duration = Duration::from_secs(6);

pub(crate) async fn run(args: UpArgs) -> anyhow::Result<ExitCode> {
    if args.dash && !std::io::stdout().is_terminal() {
        anyhow::bail!("orders up --dash draws on a terminal and stdout is not one");
    }
    // The same options as the serve commands, read the same way.
    let mut gateway_config = args.gateway.config(&args.shutdown)?;
    gateway_config.api_keys = args.gateway_access.api_keys()?;
    gateway_config.rate_limit = args.gateway_access.rate_limit;
    let mut consumer_config = args.consumer.config(&args.kafka, &args.shutdown);
    consumer_config.admin_token = args.access.token();
    let topics = args.kafka.topics();
    let inventory_config = args.shutdown_options(orders_inventory::config(
        &topics,
        &args.inventory.inventory_group,
    ));
    let payment_config = args.shutdown_options(orders_payment::config(
        &topics,
        &args.payment.group.payment_group,
    ));
    let notification_channels = args.notification.channels()?;
    let notification_settings = args.notification.delivery(&args.shutdown);
    let notification_config = args.shutdown_options(orders_notification::config(
        &topics,
        &args.notification.group.notification_group,
    ));
    std::fs::create_dir_all(&args.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            args.data_dir.display()
        )
    })?;
    let data_dir = args
        .data_dir
        .canonicalize()
        .unwrap_or_else(|_| args.data_dir.clone());
    let mut kafka = args.kafka.config("orders-up");
    let mut clients = [
        args.kafka.config("api-gateway"),
        args.kafka.config("order-service"),
        args.kafka.config("inventory-service"),
        args.kafka.config("payment-service"),
        args.kafka.config("notification-service"),
    ];

    // Stopped last, after the services (see `stop_broker`).
    let broker = match admin::ping(&kafka, PROBE_TIMEOUT).await {
        Ok(()) => {
            println!("broker      using the one at {}", kafka.brokers);
            None
        }
        // A broker answers there but refuses these settings: not one to replace.
        Err(refused @ orders_kafka::Error::Refused(_)) => return Err(refused.into()),
        Err(_) => {
            let broker = start_broker(&kafka.brokers, &data_dir, &topics).await?;
            for config in std::iter::once(&mut kafka).chain(clients.iter_mut()) {
                config.brokers = broker.bootstrap_servers();
            }
            println!(
                "broker      nisshi at {} (data in {})",
                kafka.brokers,
                data_dir.join("broker").display()
            );
            Some(broker)
        }
    };
    let [
        gateway_kafka,
        consumer_kafka,
        inventory_kafka,
        payment_kafka,
        notification_kafka,
    ] = clients;

    create_topics(&kafka, &topics.all(), args.partitions).await?;

    let gateway_listener = serve::bind(args.listen, "gateway").await?;
    let admin_listener = serve::bind(args.admin_listen, "admin").await?;
    let inventory_listener = serve::bind(args.inventory_listen, "inventory admin").await?;
    let payment_listener = serve::bind(args.payment_listen, "payment admin").await?;
    let notification_listener = serve::bind(args.notification_listen, "notification admin").await?;
    let database = |name: &str| format!("sqlite://{}", data_dir.join(name).display());
    let (orders_db, inventory_db, payments_db, notifications_db) = (
        database("orders.db"),
        database("inventory.db"),
        database("payments.db"),
        database("notifications.db"),
    );
    stock_up(&inventory_db, &args.stock).await?;
    let token = shutdown::on_signal();

    let gateway = serve::run_gateway(
        &gateway_kafka,
        &args.kafka.topic,
        args.gateway.publish_timeout,
        gateway_listener,
        gateway_config,
        token.clone().cancelled_owned(),
    );
    let consumer = serve::run_consumer(
        &consumer_kafka,
        &orders_db,
        consumer_config,
        admin_listener,
        token.clone().cancelled_owned(),
    );
    let inventory = serve::run_inventory(
        &inventory_kafka,
        &inventory_db,
        topics.clone(),
        inventory_config,
        inventory_listener,
        token.clone().cancelled_owned(),
    );
    let payment = serve::run_payment(
        &payment_kafka,
        &payments_db,
        Arc::new(args.payment.provider()),
        topics.clone(),
        payment_config,
        payment_listener,
        token.clone().cancelled_owned(),
    );
    let notification = serve::run_notification(
        &notification_kafka,
        &notifications_db,
        topics.clone(),
        &notification_channels,
        notification_settings,
        notification_config,
        notification_listener,
        token.clone().cancelled_owned(),
    );
    println!("gateway     http://{}/orders", args.listen);
    println!(
        "orders      http://{}/orders/{{correlationId}}",
        args.admin_listen
    );
    println!("inventory   http://{}/stock", args.inventory_listen);
    println!(
        "payments    http://{}/payments/{{correlationId}}",
        args.payment_listen
    );
    println!(
        "notify      http://{}/notifications   (channels: {})",
        args.notification_listen,
        channel_names(&notification_channels)
    );
    println!("data        {}", data_dir.display());
    println!("ready       try: orders submit --sku SKU-1:2 --wait   (Ctrl-C stops everything)");
    if args.dash {
        // The dashboard of this stack; when it ends (q, Ctrl-C), everything stops.
        let targets = dashboard(&args, kafka.clone(), &topics);
        let token = token.clone();
        tokio::spawn(async move {
            if let Err(error) = dash::run_over(targets).await {
                tracing::error!("the dashboard failed: {error:#}");
            }
            token.cancel();
        });
    }

    // If one service fails, stop the others instead of leaving part of a pipeline running.
    let stop_all = |result: anyhow::Result<()>| {
        token.cancel();
        result
    };
    let services = async {
        tokio::join!(
            async { stop_all(gateway.await) },
            async { stop_all(consumer.await) },
            async { stop_all(inventory.await) },
            async { stop_all(payment.await) },
            async { stop_all(notification.await) },
        )
    };
    tokio::pin!(services);
    // The services stop first, while the broker still answers them, each within a
    // deadline: a service that cannot finish does not keep the rest from stopping.
    let deadline = args.shutdown.drain_delay + args.shutdown.shutdown_timeout + SHUTDOWN_MARGIN;
    let stopped = tokio::select! {
        results = &mut services => Some(results),
        () = token.cancelled() => tokio::time::timeout(deadline, &mut services).await.ok(),
    };
    if let Some(broker) = broker {
        stop_broker(broker).await;
    }
    let Some((gateway, consumer, inventory, payment, notification)) = stopped else {
        anyhow::bail!("the services did not stop within {deadline:?}; stopped them anyway");
    };
    gateway.context("gateway")?;
    consumer.context("order-service")?;
    inventory.context("inventory-service")?;
    payment.context("payment-service")?;
    notification.context("notification-service")?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// What `--dash` watches: the services `up` started, where they listen.
fn dashboard(args: &UpArgs, kafka: KafkaConfig, topics: &Topics) -> dash::Targets {
    let url = |address: std::net::SocketAddr| {
        let host = match address.ip() {
            ip if ip.is_unspecified() => std::net::IpAddr::from([127, 0, 0, 1]),
            ip => ip,
        };
        format!("http://{}", std::net::SocketAddr::new(host, address.port()))
    };
    let urls = ServiceUrls {
        admin: url(args.admin_listen),
        inventory: url(args.inventory_listen),
        payment: url(args.payment_listen),
        notification: url(args.notification_listen),
    };
    let groups = dash::Groups {
        orders: args.consumer.group.clone(),
        inventory: args.inventory.inventory_group.clone(),
        payment: args.payment.group.payment_group.clone(),
        notification: args.notification.group.notification_group.clone(),
    };
    dash::Targets::pipeline(
        kafka.with_client_id("orders-dash"),
        &url(args.listen),
        &urls,
        topics,
        &groups,
    )
}

/// `webhook, email, log`: the channels the notification-service delivers on.
fn channel_names(channels: &orders_notification::ChannelConfig) -> String {
    let mut names = Vec::new();
    if channels.webhook.is_some() {
        names.push("webhook");
    }
    if channels.email.is_some() {
        names.push("email");
    }
    if channels.log {
        names.push("log");
    }
    names.join(", ")
}

/// The stock `up` starts with when the inventory has none and `--stock` is not given.
const DEFAULT_SKUS: u64 = 500;
const DEFAULT_UNITS: u64 = 100_000;

/// Sets `--stock` when given; otherwise gives an inventory with no stock yet the default
/// (every SKU `orders bench` orders), and says which it did.
async fn stock_up(database_url: &str, stock: &[(String, u64)]) -> anyhow::Result<()> {
    let store = orders_store::inventory::connect(database_url, StoreOptions::default())
        .await
        .context("cannot open the inventory database")?;
    let outcome = async {
        if !stock.is_empty() {
            store.set_stock(stock).await?;
            println!("stock       {} SKUs set from --stock", stock.len());
            return Ok(());
        }
        let held = store.stock().await?;
        if held.is_empty() {
            let default: Vec<(String, u64)> = (1..=DEFAULT_SKUS)
                .map(|n| (format!("SKU-{n}"), DEFAULT_UNITS))
                .collect();
            store.set_stock(&default).await?;
            println!(
                "stock       SKU-1 to SKU-{DEFAULT_SKUS}, {DEFAULT_UNITS} units each (the default; \
                 `orders stock set SKU=UNITS` changes it)"
            );
        } else {
            println!(
                "stock       {} SKUs kept from the last run (`orders stock` shows them)",
                held.len()
            );
        }
        Ok::<_, orders_core::StoreError>(())
    }
    .await;
    store.close().await;
    outcome.context("cannot set the stock")
}

/// Stops the broker `up` started, giving it time to close its storage.
async fn stop_broker(mut broker: Broker) {
    let stopped = tokio::task::spawn_blocking(move || broker.terminate(BROKER_GRACE)).await;
    if let Err(error) = stopped {
        tracing::warn!(%error, "stopping the broker failed");
    }
}

/// Starts nisshi on the port of `brokers` with its data in `data_dir/broker`, installing
/// it first when it is missing. It refuses records on every event topic that break the
/// event's contract, and it runs in a process group of its own, so that a terminal's
/// Ctrl-C reaches `up` alone, which stops the broker after the services.
async fn start_broker(brokers: &str, data_dir: &Path, topics: &Topics) -> anyhow::Result<Broker> {
    let port = local_port(brokers).ok_or_else(|| {
        anyhow!(
            "no Kafka broker answers at {brokers}, and it is not a local host:port where \
             `orders up` could start one; start that broker or set KAFKA_BROKERS=localhost:9094"
        )
    })?;
    let binary = install_nisshi().await?;
    let config = BrokerConfig {
        binary: Some(binary),
        port,
        storage: Storage::sqlite(data_dir.join("broker")),
        log_file: Some(data_dir.join("broker.log")),
        value_schemas: topics
            .events()
            .map(|(kind, topic)| {
                (
                    topic.to_owned(),
                    orders_core::saga::events::schema(kind).to_owned(),
                )
            })
            .collect(),
        ..BrokerConfig::default()
    };
    tokio::task::spawn_blocking(move || Broker::start(config))
        .await
        .context("the broker start-up task failed")?
        .context("cannot start the local broker (nisshi)")
}

/// Finds nisshi, or installs it with cargo behind a spinner that shows cargo's progress.
async fn install_nisshi() -> anyhow::Result<std::path::PathBuf> {
    if let Ok(binary) = orders_nisshi::find() {
        return Ok(binary);
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>4} {prefix} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_prefix(format!(
        "installing nisshi {} with cargo (once per machine; about 20-25 minutes on 2 cores):",
        orders_nisshi::VERSION
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let progress = spinner.clone();
    let installed = tokio::task::spawn_blocking(move || {
        orders_nisshi::ensure_installed(|line| progress.set_message(line.trim().to_owned()))
    })
    .await
    .context("the install task failed")?;
    spinner.finish_and_clear();
    let binary = installed.with_context(|| {
        format!(
            "cannot install nisshi; try it by hand: {}",
            orders_nisshi::INSTALL_COMMAND
        )
    })?;
    println!(
        "installed   nisshi {} at {}",
        orders_nisshi::VERSION,
        binary.display()
    );
    Ok(binary)
}

/// Creates the topics; one that exists with another partition count is worth a warning,
/// not a stop: the pipeline works with any count.
async fn create_topics(
    kafka: &KafkaConfig,
    topics: &[String],
    partitions: i32,
) -> anyhow::Result<()> {
    let specs: Vec<TopicSpec> = topics
        .iter()
        .map(|name| TopicSpec::new(name.clone(), partitions, 1))
        .collect();
    for (name, outcome) in admin::create_topics(kafka, &specs, Duration::from_secs(10)).await? {
        match outcome {
            TopicOutcome::Created => {
                println!("topic       {name} created ({partitions} partitions)")
            }
            TopicOutcome::AlreadyExists { partitions: found } if found == partitions => {
                println!("topic       {name}")
            }
            TopicOutcome::AlreadyExists { partitions: found } => {
                println!("topic       {name} ({found} partitions)");
                tracing::warn!(
                    topic = %name,
                    partitions = found,
                    asked = partitions,
                    "the topic exists with another partition count than --partitions"
                );
            }
        }
    }
    Ok(())
}

/// The port of a single local `host:port` (`localhost`, `127.0.0.1`, `::1`).
fn local_port(brokers: &str) -> Option<u16> {
    if brokers.contains(',') {
        return None;
    }
    let (host, port) = brokers.trim().rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if !matches!(host, "localhost" | "127.0.0.1" | "::1") {
        return None;
    }
    port.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_local_address_can_be_started_here() {
        assert_eq!(local_port("localhost:9094"), Some(9094));
        assert_eq!(local_port("127.0.0.1:19092"), Some(19092));
        assert_eq!(local_port("[::1]:9094"), Some(9094));
        assert_eq!(local_port("kafka:9092"), None);
        assert_eq!(local_port("localhost:9094,localhost:9095"), None);
        assert_eq!(local_port("localhost"), None);
    }
}
