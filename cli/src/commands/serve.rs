//! `orders serve-gateway`, `serve-consumer`, `serve-inventory`, `serve-payment` and
//! `serve-notification`: the services, each in its own process, as they run in production. `orders up` runs the
//! same functions side by side in one process.

use crate::cli::{ConsumerArgs, GatewayArgs, InventoryArgs, NotificationArgs, PaymentArgs};
use crate::shutdown;
use anyhow::Context;
use orders_consumer::ConsumerConfig;
use orders_core::saga::payment::PaymentProvider;
use orders_gateway::GatewayConfig;
use orders_http::HttpListener;
use orders_kafka::{KafkaConfig, KafkaPublisher, ProducerSettings, Topics};
use orders_runtime::ServiceConfig;
use orders_store::StoreOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn gateway(args: GatewayArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.gateway.config(&args.shutdown)?;
    config.api_keys = args.access.api_keys()?;
    config.rate_limit = args.access.rate_limit;
    let kafka = args.kafka.config("api-gateway");
    let listener = args.https.listener(bind(args.listen, "gateway").await?)?;
    let token = shutdown::on_signal();
    run_gateway(
        &kafka,
        &args.kafka.topic,
        args.gateway.publish_timeout,
        listener,
        config,
        token.cancelled_owned(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn consumer(args: ConsumerArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("order-service");
    let mut config = args.consumer.config(&args.kafka, &args.shutdown);
    config.admin_token = args.access.token();
    let address = args.access.address(args.admin_listen, 3001)?;
    let listener = args.https.listener(bind(address, "admin").await?)?;
    let token = shutdown::on_signal();
    run_consumer(
        &kafka,
        &args.database_url,
        config,
        listener,
        token.cancelled_owned(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn inventory(args: InventoryArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("inventory-service");
    let topics = args.kafka.topics();
    let mut config = args.service.apply(
        orders_inventory::config(&topics, &args.inventory.inventory_group),
        &args.shutdown,
    );
    config.admin_token = args.access.token();
    let address = args.access.address(args.admin_listen, 3002)?;
    let listener = args
        .https
        .listener(bind(address, "inventory admin").await?)?;
    let token = shutdown::on_signal();
    run_inventory(
        &kafka,
        &args.database_url,
        topics,
        config,
        listener,
        token.cancelled_owned(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn payment(args: PaymentArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("payment-service");
    let topics = args.kafka.topics();
    let mut config = args.service.apply(
        orders_payment::config(&topics, &args.payment.group.payment_group),
        &args.shutdown,
    );
    config.admin_token = args.access.token();
    let address = args.access.address(args.admin_listen, 3003)?;
    let listener = args.https.listener(bind(address, "payment admin").await?)?;
    let token = shutdown::on_signal();
    run_payment(
        &kafka,
        &args.database_url,
        Arc::new(args.payment.provider()),
        topics,
        config,
        listener,
        token.cancelled_owned(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn notification(args: NotificationArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("notification-service");
    let topics = args.kafka.topics();
    let channels = args.notification.channels()?;
    let settings = args.notification.delivery(&args.shutdown);
    let config = args.service.apply(
        orders_notification::config(&topics, &args.notification.group.notification_group),
        &args.shutdown,
    );
    let listener = bind(args.admin_listen, "notification admin").await?;
    let token = shutdown::on_signal();
    run_notification(
        &kafka,
        &args.database_url,
        topics,
        &channels,
        settings,
        config,
        listener,
        token.cancelled_owned(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the notification-service on the store at `database_url` until `shutdown`.
#[allow(clippy::too_many_arguments)]
pub async fn run_notification(
    kafka: &KafkaConfig,
    database_url: &str,
    topics: Topics,
    channels: &orders_notification::ChannelConfig,
    settings: orders_notification::DeliverySettings,
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = orders_store::notifications::connect(database_url, StoreOptions::default())
        .await
        .context("cannot open the notifications database")?;
    tracing::info!(backend = %store.backend(), "notifications database ready");
    let result = orders_notification::run(
        kafka,
        store.clone(),
        topics,
        channels,
        settings,
        config,
        listener,
        shutdown,
    )
    .await;
    store.close().await;
    result?;
    tracing::info!("notification-service stopped");
    Ok(())
}

/// Runs the inventory-service on the store at `database_url` until `shutdown`.
pub async fn run_inventory(
    kafka: &KafkaConfig,
    database_url: &str,
    topics: Topics,
    config: ServiceConfig,
    listener: impl Into<HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = orders_store::inventory::connect(database_url, StoreOptions::default())
        .await
        .context("cannot open the inventory database")?;
    tracing::info!(backend = %store.backend(), "inventory database ready");
    let result =
        orders_inventory::run(kafka, store.clone(), topics, config, listener, shutdown).await;
    store.close().await;
    result?;
    tracing::info!("inventory-service stopped");
    Ok(())
}

/// Runs the payment-service on the store at `database_url` until `shutdown`.
pub async fn run_payment(
    kafka: &KafkaConfig,
    database_url: &str,
    provider: Arc<dyn PaymentProvider>,
    topics: Topics,
    config: ServiceConfig,
    listener: impl Into<HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = orders_store::payments::connect(database_url, StoreOptions::default())
        .await
        .context("cannot open the payments database")?;
    tracing::info!(backend = %store.backend(), "payments database ready");
    let result = orders_payment::run(
        kafka,
        store.clone(),
        provider,
        topics,
        config,
        listener,
        shutdown,
    )
    .await;
    store.close().await;
    result?;
    tracing::info!("payment-service stopped");
    Ok(())
}

/// Serves the gateway until `shutdown`, then flushes the producer.
pub async fn run_gateway(
    kafka: &KafkaConfig,
    topic: &str,
    publish_timeout: Duration,
    listener: impl Into<HttpListener>,
    config: GatewayConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let settings = ProducerSettings {
        delivery_timeout: publish_timeout,
        ..ProducerSettings::default()
    };
    let publisher = Arc::new(KafkaPublisher::new(kafka, topic, &settings)?);
    let flush_timeout = config.serve.shutdown_timeout;
    orders_gateway::run(listener, publisher.clone(), config, shutdown)
        .await
        .context("the gateway's HTTP server failed")?;
    publisher
        .flush(flush_timeout)
        .await
        .context("flushing the producer on shutdown")?;
    tracing::info!("gateway stopped");
    Ok(())
}

/// Runs the order-service on the store at `database_url` until `shutdown`.
pub async fn run_consumer(
    kafka: &KafkaConfig,
    database_url: &str,
    config: ConsumerConfig,
    listener: impl Into<HttpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = orders_store::connect(database_url, StoreOptions::default())
        .await
        .context("cannot open the orders database")?;
    tracing::info!(backend = %store.backend(), "orders database ready");
    let result = orders_consumer::run(
        kafka,
        Arc::new(store.clone()),
        Arc::new(store.outbox()),
        config,
        listener,
        shutdown,
    )
    .await;
    store.close().await;
    result?;
    tracing::info!("order-service stopped");
    Ok(())
}

pub async fn bind(address: SocketAddr, what: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} for the {what} HTTP server"))
}
