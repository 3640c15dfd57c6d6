//! `orders serve-gateway` and `orders serve-consumer`: the two services, each in its own
//! process, as they run in production. `orders up` runs the same two functions side by
//! side in one process.

use crate::cli::{ConsumerArgs, GatewayArgs, ShutdownArgs};
use crate::shutdown;
use anyhow::{Context, bail};
use orders_consumer::ConsumerConfig;
use orders_gateway::GatewayConfig;
use orders_http::{HttpListener, ServeOptions};
use orders_kafka::{KafkaConfig, KafkaPublisher, ProducerSettings};
use orders_store::StoreOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn gateway(args: GatewayArgs) -> anyhow::Result<ExitCode> {
    if args.request_timeout <= args.publish_timeout {
        bail!(
            "--request-timeout ({:?}) must be longer than --publish-timeout ({:?}), so that a \
             slow broker gets the client a 503 rather than a dropped request",
            args.request_timeout,
            args.publish_timeout
        );
    }
    let kafka = args.kafka.config("api-gateway");
    let listener = args.https.listener(bind(args.listen, "gateway").await?)?;
    let config = GatewayConfig {
        request_timeout: args.request_timeout,
        serve: serve_options(&args.shutdown),
        api_keys: args.access.api_keys()?,
        rate_limit: args.access.rate_limit,
        ..GatewayConfig::default()
    };
    let token = shutdown::on_signal();
    run_gateway(
        &kafka,
        &args.kafka.topic,
        args.publish_timeout,
        listener,
        config,
        token.cancelled_owned(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn consumer(args: ConsumerArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("order-service");
    let mut config = ConsumerConfig::new(&args.kafka.topic, &args.group);
    config.dead_letter_topic = match (args.no_dead_letter, args.dead_letter_topic) {
        (true, _) => None,
        (false, Some(topic)) => Some(topic),
        (false, None) => Some(args.kafka.dead_letter_topic()),
    };
    config.max_batch = args.max_batch as usize;
    config.serve = serve_options(&args.shutdown);
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
    let result =
        orders_consumer::run(kafka, Arc::new(store.clone()), config, listener, shutdown).await;
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

pub fn serve_options(args: &ShutdownArgs) -> ServeOptions {
    ServeOptions {
        drain_delay: args.drain_delay,
        shutdown_timeout: args.shutdown_timeout,
    }
}
