//! `orders up`: the whole pipeline on this machine in one command, without Docker.
//!
//! It uses the broker at `KAFKA_BROKERS` when one answers; otherwise it starts nisshi on
//! that port with durable sqlite storage in the data directory (installing nisshi with
//! cargo first when it is missing). Then it creates the topics and runs the gateway and
//! the order-service in this process, on a SQLite store in the same directory. Ctrl-C
//! stops everything it started; the data directory keeps the topic and the orders for
//! the next `orders up`.

use crate::cli::UpArgs;
use crate::commands::serve;
use crate::shutdown;
use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use orders_consumer::ConsumerConfig;
use orders_gateway::GatewayConfig;
use orders_kafka::KafkaConfig;
use orders_kafka::admin::{self, TopicOutcome, TopicSpec};
use orders_nisshi::{Broker, BrokerConfig, Storage};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) async fn run(args: UpArgs) -> anyhow::Result<ExitCode> {
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

    // Held until the end of this function: dropping it stops the broker.
    let broker = match admin::ping(&kafka, PROBE_TIMEOUT).await {
        Ok(()) => {
            println!("broker      using the one at {}", kafka.brokers);
            None
        }
        // A broker answers there but refuses these settings: not one to replace.
        Err(refused @ orders_kafka::Error::Refused(_)) => return Err(refused.into()),
        Err(_) => {
            let broker = start_broker(&kafka.brokers, &data_dir, &args.kafka.topic).await?;
            kafka.brokers = broker.bootstrap_servers();
            println!(
                "broker      nisshi at {} (data in {})",
                kafka.brokers,
                data_dir.join("broker").display()
            );
            Some(broker)
        }
    };

    create_topics(
        &kafka,
        &args.kafka.topic,
        &args.kafka.dead_letter_topic(),
        args.partitions,
    )
    .await?;

    let gateway_listener = serve::bind(args.listen, "gateway").await?;
    let admin_listener = serve::bind(args.admin_listen, "admin").await?;
    let database = data_dir.join("orders.db");
    let database_url = format!("sqlite://{}", database.display());
    let token = shutdown::on_signal();
    let gateway_kafka = kafka.with_client_id("api-gateway");
    let consumer_kafka = kafka.with_client_id("order-service");

    let gateway = serve::run_gateway(
        &gateway_kafka,
        &args.kafka.topic,
        Duration::from_secs(5),
        gateway_listener,
        GatewayConfig::default(),
        token.clone().cancelled_owned(),
    );
    let mut consumer_config = ConsumerConfig::new(&args.kafka.topic, "order-service-group");
    consumer_config.dead_letter_topic = Some(args.kafka.dead_letter_topic());
    let consumer = serve::run_consumer(
        &consumer_kafka,
        &database_url,
        consumer_config,
        admin_listener,
        token.clone().cancelled_owned(),
    );
    println!("gateway     http://{}/orders", args.listen);
    println!(
        "admin       http://{}/orders/{{correlationId}}",
        args.admin_listen
    );
    println!("database    {}", database.display());
    println!("ready       try: orders submit --sku SKU-1:2   (Ctrl-C stops everything)");

    // If one service fails, stop the other instead of leaving half a pipeline running.
    let (gateway, consumer) = tokio::join!(
        async {
            let result = gateway.await;
            token.cancel();
            result
        },
        async {
            let result = consumer.await;
            token.cancel();
            result
        }
    );
    drop(broker);
    gateway.context("gateway")?;
    consumer.context("order-service")?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Starts nisshi on the port of `brokers` with its data in `data_dir/broker`, installing
/// it first when it is missing.
async fn start_broker(brokers: &str, data_dir: &Path, topic: &str) -> anyhow::Result<Broker> {
    let port = local_port(brokers).ok_or_else(|| {
        anyhow!(
            "no Kafka broker answers at {brokers}, and it is not a local host:port where \
             `orders up` could start one; start that broker or set KAFKA_BROKERS=localhost:9094"
        )
    })?;
    let binary = install_nisshi().await?;
    // nisshi itself refuses records on the topic that break the order_created contract.
    crate::commands::schema::write_schema_dir(&data_dir.join("broker"), topic)
        .context("cannot write the broker's schema directory")?;
    let config = BrokerConfig {
        binary: Some(binary),
        port,
        storage: Storage::sqlite(data_dir.join("broker")),
        log_file: Some(data_dir.join("broker.log")),
        extra_args: crate::commands::schema::nisshi_args(),
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

async fn create_topics(
    kafka: &KafkaConfig,
    topic: &str,
    dead_letters: &str,
    partitions: i32,
) -> anyhow::Result<()> {
    let specs = [topic, dead_letters].map(|name| TopicSpec {
        name: name.to_owned(),
        partitions,
        replication_factor: 1,
    });
    for (name, outcome) in admin::create_topics(kafka, &specs, Duration::from_secs(10)).await? {
        match outcome {
            TopicOutcome::Created => {
                println!("topic       {name} created ({partitions} partitions)")
            }
            TopicOutcome::AlreadyExists => println!("topic       {name}"),
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
