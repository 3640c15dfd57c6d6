//! The command line: every subcommand, flag and environment variable of `orders`.
//!
//! Flags that configure a connection also read the seed's environment variables
//! (`KAFKA_BROKERS`, `KAFKA_CLIENT_ID`, `KAFKA_TOPIC_ORDER_CREATED`, `KAFKA_GROUP_ID`,
//! `DATABASE_URL`); a flag given on the command line wins over the environment.

use crate::commands::{bench, dash, db, dlq, lag, submit, tail, trace};
use crate::duration::{parse_duration, parse_duration_or_zero};
use anyhow::bail;
use clap::{Args, Parser, Subcommand, ValueEnum};
use orders_consumer::ConsumerConfig;
use orders_gateway::GatewayConfig;
use orders_http::ServeOptions;
use orders_kafka::{Consumer, KafkaConfig, Topics, parse_option};
use orders_runtime::ServiceConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_BROKERS: &str = "localhost:9094";
pub const DEFAULT_GATEWAY_URL: &str = "http://localhost:3000";
pub const DEFAULT_ADMIN_URL: &str = "http://localhost:3001";
pub const DEFAULT_INVENTORY_URL: &str = "http://localhost:3002";
pub const DEFAULT_PAYMENT_URL: &str = "http://localhost:3003";
pub const DEFAULT_NOTIFICATION_URL: &str = "http://localhost:3004";

/// Run, exercise and measure an event-driven order pipeline on Kafka.
///
/// `orders up` starts the whole pipeline on this machine (broker, gateway, order-service);
/// `orders submit`, `orders tail` and `orders bench` drive and watch it; `serve-gateway`
/// and `serve-consumer` run the same services against a real cluster and database.
#[derive(Debug, Parser)]
#[command(
    name = "orders",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole local stack in one process: broker (nisshi, installed if missing),
    /// topics, gateway, order-service, inventory-service, payment-service and
    /// notification-service on SQLite.
    /// Ctrl-C stops everything.
    Up(Box<UpArgs>),
    /// Run the HTTP API gateway: POST /orders publishes order_created.
    ServeGateway(GatewayArgs),
    /// Run the order-service: keep every order from pending to confirmed or rejected, and
    /// announce its final state.
    ServeConsumer(ConsumerArgs),
    /// Run the inventory-service: reserve every item of an order at once or none, release
    /// the reservation when its payment fails.
    ServeInventory(InventoryArgs),
    /// Run the payment-service: charge each reserved order once (simulated provider).
    ServePayment(PaymentArgs),
    /// Run the notification-service: tell each order's outcome once per channel (webhook,
    /// email, log), with retries and dead letters.
    ServeNotification(Box<NotificationArgs>),
    /// Show the notification-service's customer directory, or set an entry (`orders
    /// customers set ID --email ADDRESS [--webhook]`).
    Customers(crate::commands::customers::CustomersArgs),
    /// The notifications the notification-service recorded: what was sent, what waits, what
    /// failed or was skipped and why.
    Notifications(crate::commands::notifications::NotificationsArgs),
    /// Show the stock the inventory-service holds, or set it (`orders stock set
    /// SKU-1=100 SKU-2=5`).
    Stock(crate::commands::stock::StockArgs),
    /// Send one order through the gateway and print where it landed.
    Submit(submit::SubmitArgs),
    /// Follow the order_created topic live, without joining the service's group.
    Tail(tail::TailArgs),
    /// Follow one order through the pipeline: its record on the topic (partition, offset,
    /// timestamp, headers such as traceparent), its state in the order-service, and the
    /// time between the steps. Exits 0 when it is persisted, 3 when it is on the topic but
    /// not persisted (yet) or the order-service cannot be asked, 1 when it is found nowhere.
    Trace(trace::TraceArgs),
    /// Drive load through the gateway and report throughput and latency.
    Bench(bench::BenchArgs),
    /// The whole pipeline live in the terminal: services, lag per partition, gateway
    /// latency, dead letters and the newest events (q quits, p pauses, tab moves between
    /// panes, / filters events by correlation id, enter traces one). --once prints one
    /// snapshot.
    Dash(dash::DashArgs),
    /// The dead-letter topics: follow one, or replay its records once their cause is fixed
    /// (--topic notification-dlt for the notification-service's, order_created-dlt by
    /// default).
    #[command(subcommand)]
    Dlq(dlq::DlqCommand),
    /// Manage the topics the pipeline uses.
    #[command(subcommand)]
    Topics(TopicsCommand),
    /// Show how far the order-service's consumer group is behind, per partition, and
    /// which member owns each partition.
    Lag(lag::LagArgs),
    /// Manage the orders database.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Register or check the order_created JSON Schema in a Confluent-compatible Schema
    /// Registry.
    #[command(subcommand)]
    Schema(crate::commands::schema::SchemaCommand),
    /// Exit 0 when URL answers 2xx: the container health check (no shell or curl needed).
    Healthcheck(crate::commands::healthcheck::HealthcheckArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// Create topics (by default every topic of the pipeline: one per event, one
    /// dead-letter topic per service). A topic that already exists is reported, and is an
    /// error only when its partition count is not the one asked for.
    Create(TopicsCreateArgs),
}

/// Logging, shared by every command. Logs go to stderr; stdout is for results.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Log line format. The level comes from RUST_LOG (default: info).
    #[arg(long, global = true, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// How to reach Kafka.
#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER]
    /// [default: localhost:9094]
    #[arg(long, value_name = "HOST:PORT,...")]
    pub brokers: Option<String>,
    /// A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the
    /// environment variable takes a list separated by semicolons, since librdkafka
    /// values such as debug=broker,protocol contain commas).
    #[arg(short = 'X', long = "kafka-option", value_name = "KEY=VALUE", env = "KAFKA_OPTIONS", hide_env_values = true, value_delimiter = ';', value_parser = parse_option)]
    pub options: Vec<(String, String)>,
    /// The order_created topic.
    #[arg(
        long,
        env = "KAFKA_TOPIC_ORDER_CREATED",
        default_value = "order_created"
    )]
    pub topic: String,
    #[command(flatten)]
    pub saga: SagaTopicArgs,
    #[command(flatten)]
    pub security: crate::security::KafkaSecurityArgs,
}

/// The saga's topics, after `order_created`: one per kind of event, and a dead-letter
/// topic per service.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Topics")]
pub struct SagaTopicArgs {
    #[command(flatten)]
    pub events: EventTopicArgs,
    /// The inventory-service's dead-letter topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_INVENTORY_DLT",
        default_value = "inventory-dlt"
    )]
    pub topic_inventory_dlt: String,
    /// The payment-service's dead-letter topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_PAYMENT_DLT",
        default_value = "payment-dlt"
    )]
    pub topic_payment_dlt: String,
    /// The notification-service's dead-letter topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_NOTIFICATION_DLT",
        default_value = "notification-dlt"
    )]
    pub topic_notification_dlt: String,
}

/// The topics of the saga's events after `order_created`, one per kind.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Topics")]
pub struct EventTopicArgs {
    /// The inventory_reserved topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_INVENTORY_RESERVED",
        default_value = "inventory_reserved"
    )]
    pub topic_inventory_reserved: String,
    /// The inventory_rejected topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_INVENTORY_REJECTED",
        default_value = "inventory_rejected"
    )]
    pub topic_inventory_rejected: String,
    /// The inventory_released topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_INVENTORY_RELEASED",
        default_value = "inventory_released"
    )]
    pub topic_inventory_released: String,
    /// The payment_completed topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_PAYMENT_COMPLETED",
        default_value = "payment_completed"
    )]
    pub topic_payment_completed: String,
    /// The payment_failed topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_PAYMENT_FAILED",
        default_value = "payment_failed"
    )]
    pub topic_payment_failed: String,
    /// The order_confirmed topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_ORDER_CONFIRMED",
        default_value = "order_confirmed"
    )]
    pub topic_order_confirmed: String,
    /// The order_rejected topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_ORDER_REJECTED",
        default_value = "order_rejected"
    )]
    pub topic_order_rejected: String,
}

impl EventTopicArgs {
    /// Every kind of event with its topic, `order_created`'s being `order_created`.
    pub fn with_order_created<'a>(
        &'a self,
        order_created: &'a str,
    ) -> [(orders_core::saga::EventKind, &'a str); 8] {
        use orders_core::saga::EventKind::*;
        [
            (OrderCreated, order_created),
            (InventoryReserved, &self.topic_inventory_reserved),
            (InventoryRejected, &self.topic_inventory_rejected),
            (InventoryReleased, &self.topic_inventory_released),
            (PaymentCompleted, &self.topic_payment_completed),
            (PaymentFailed, &self.topic_payment_failed),
            (OrderConfirmed, &self.topic_order_confirmed),
            (OrderRejected, &self.topic_order_rejected),
        ]
    }
}

impl KafkaArgs {
    /// The bootstrap servers: the flag, then KAFKA_BROKERS, then the seed's alias
    /// KAFKA_BROKER, then localhost:9094.
    pub fn brokers(&self) -> String {
        self.brokers
            .clone()
            .or_else(|| env_nonempty("KAFKA_BROKERS"))
            .or_else(|| env_nonempty("KAFKA_BROKER"))
            .unwrap_or_else(|| DEFAULT_BROKERS.to_owned())
    }

    /// The client configuration, under `KAFKA_CLIENT_ID` or `default_client_id`.
    pub fn config(&self, default_client_id: &str) -> KafkaConfig {
        let client_id = env_nonempty("KAFKA_CLIENT_ID").unwrap_or_else(|| default_client_id.into());
        KafkaConfig {
            brokers: self.brokers(),
            client_id,
            options: [self.security.options(), self.options.clone()].concat(),
        }
    }

    /// The dead-letter topic of `topic`.
    pub fn dead_letter_topic(&self) -> String {
        env_nonempty("KAFKA_TOPIC_ORDER_CREATED_DLT")
            .unwrap_or_else(|| format!("{}-dlt", self.topic))
    }

    /// Every topic of the pipeline, by kind.
    pub fn topics(&self) -> Topics {
        let mut topics = Topics::default();
        let saga = &self.saga;
        for (kind, name) in saga.events.with_order_created(&self.topic) {
            topics.set(kind, name.to_owned());
        }
        for (consumer, name) in [
            (Consumer::OrderService, self.dead_letter_topic()),
            (Consumer::Inventory, saga.topic_inventory_dlt.clone()),
            (Consumer::Payment, saga.topic_payment_dlt.clone()),
            (Consumer::Notification, saga.topic_notification_dlt.clone()),
        ] {
            topics.set_dead_letters(consumer, name);
        }
        topics
    }
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// How a service shuts down.
#[derive(Debug, Clone, Args)]
pub struct ShutdownArgs {
    /// After SIGTERM, how long /readyz answers 503 before the listener closes (time for
    /// a load balancer to stop sending).
    #[arg(long, env = "DRAIN_DELAY", default_value = "0s", value_parser = parse_duration_or_zero)]
    pub drain_delay: Duration,
    /// Longest wait for in-flight work once shutdown begins.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
}

impl ShutdownArgs {
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            drain_delay: self.drain_delay,
            shutdown_timeout: self.shutdown_timeout,
        }
    }
}

/// How the gateway behaves: the options `serve-gateway` and `up` share.
#[derive(Debug, Clone, Args)]
pub struct GatewayOptions {
    /// How long the broker may take to acknowledge an event before the client gets 503.
    #[arg(long, env = "PUBLISH_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub publish_timeout: Duration,
    /// Longest a request may take in all; must exceed --publish-timeout.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
}

impl GatewayOptions {
    /// The gateway's configuration; refuses timeouts that cannot work together.
    pub fn config(&self, shutdown: &ShutdownArgs) -> anyhow::Result<GatewayConfig> {
        if self.request_timeout <= self.publish_timeout {
            bail!(
                "--request-timeout ({:?}) must be longer than --publish-timeout ({:?}), so that \
                 a slow broker gets the client a 503 rather than a dropped request",
                self.request_timeout,
                self.publish_timeout
            );
        }
        Ok(GatewayConfig {
            request_timeout: self.request_timeout,
            serve: shutdown.serve_options(),
            ..GatewayConfig::default()
        })
    }
}

/// How the order-service behaves: the options `serve-consumer` and `up` share.
#[derive(Debug, Clone, Args)]
pub struct ConsumerOptions {
    /// The consumer group the order-service instances share.
    #[arg(long, env = "KAFKA_GROUP_ID", default_value = "order-service-group")]
    pub group: String,
    /// Set invalid records aside in the dead-letter topic [env:
    /// KAFKA_TOPIC_ORDER_CREATED_DLT] [default: <topic>-dlt]. With --no-dead-letter
    /// they are only logged.
    #[arg(long, value_name = "TOPIC")]
    pub dead_letter_topic: Option<String>,
    /// Log and skip invalid records instead of dead-lettering them.
    #[arg(long, conflicts_with = "dead_letter_topic")]
    pub no_dead_letter: bool,
    /// Most events persisted in one database transaction.
    #[arg(long, env = "MAX_BATCH", default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_batch: u32,
}

impl ConsumerOptions {
    /// The dead-letter topic, unless invalid records are only to be logged.
    pub fn dead_letter_topic(&self, kafka: &KafkaArgs) -> Option<String> {
        match (self.no_dead_letter, &self.dead_letter_topic) {
            (true, _) => None,
            (false, Some(topic)) => Some(topic.clone()),
            (false, None) => Some(kafka.dead_letter_topic()),
        }
    }

    /// The order-service's configuration for the topic of `kafka`.
    pub fn config(&self, kafka: &KafkaArgs, shutdown: &ShutdownArgs) -> ConsumerConfig {
        let mut config = ConsumerConfig::with_topics(kafka.topics(), &self.group);
        config.dead_letter_topic = self.dead_letter_topic(kafka);
        config.max_batch = self.max_batch as usize;
        config.serve = shutdown.serve_options();
        config
    }
}

#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    /// Address to listen on.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "0.0.0.0:3000")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub gateway: GatewayOptions,
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
    #[command(flatten)]
    pub access: crate::security::GatewayAccessArgs,
    #[command(flatten)]
    pub https: crate::security::HttpsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ConsumerArgs {
    /// Where orders are kept: sqlite://PATH or postgres://USER@HOST/DB (TLS as libpq:
    /// ?sslmode=verify-full&sslrootcert=CA.pem).
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://orders.db"
    )]
    pub database_url: String,
    /// Address of the admin HTTP (health, readiness, GET /orders/{correlationId})
    /// [default: 0.0.0.0:3001 with an admin token, 127.0.0.1:3001 without].
    #[arg(long, env = "ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub consumer: ConsumerOptions,
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
    #[command(flatten)]
    pub access: crate::security::AdminAccessArgs,
    #[command(flatten)]
    pub https: crate::security::HttpsArgs,
}

/// How a saga service consumes: the options `serve-inventory` and `serve-payment` share.
#[derive(Debug, Clone, Args)]
pub struct ServiceOptions {
    /// Log and skip records the service cannot use instead of dead-lettering them.
    #[arg(long)]
    pub no_dead_letter: bool,
    /// Most records applied in one database transaction.
    #[arg(long, env = "MAX_BATCH", default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_batch: u32,
}

impl ServiceOptions {
    /// `config` with these options and `shutdown`'s.
    pub fn apply(&self, mut config: ServiceConfig, shutdown: &ShutdownArgs) -> ServiceConfig {
        if self.no_dead_letter {
            config.dead_letter_topic = None;
        }
        config.max_batch = self.max_batch as usize;
        config.serve = shutdown.serve_options();
        config
    }
}

/// How the inventory-service behaves: the options `serve-inventory` and `up` share.
#[derive(Debug, Clone, Args)]
pub struct InventoryOptions {
    /// The consumer group the inventory-service instances share.
    #[arg(
        long,
        env = "INVENTORY_GROUP_ID",
        default_value = "inventory-service-group"
    )]
    pub inventory_group: String,
}

/// The payment-service's consumer group, for the service and for what watches it.
#[derive(Debug, Clone, Args)]
pub struct PaymentGroup {
    /// The consumer group the payment-service instances share.
    #[arg(
        long,
        env = "PAYMENT_GROUP_ID",
        default_value = "payment-service-group"
    )]
    pub payment_group: String,
}

/// The notification-service's consumer group, for the service and for what watches it.
#[derive(Debug, Clone, Args)]
pub struct NotificationGroup {
    /// The consumer group the notification-service instances share.
    #[arg(
        long,
        env = "NOTIFICATION_GROUP_ID",
        default_value = "notification-service-group"
    )]
    pub notification_group: String,
}

/// Where the services' admin HTTP answers, for the commands that ask them.
#[derive(Debug, Clone, Args)]
pub struct ServiceUrls {
    /// The order-service admin's base URL.
    #[arg(long, env = "ORDERS_ADMIN_URL", default_value = DEFAULT_ADMIN_URL)]
    pub admin: String,
    /// The inventory-service admin's base URL (reservations, stock).
    #[arg(long, env = "ORDERS_INVENTORY_URL", default_value = DEFAULT_INVENTORY_URL)]
    pub inventory: String,
    /// The payment-service admin's base URL (payments).
    #[arg(long, env = "ORDERS_PAYMENT_URL", default_value = DEFAULT_PAYMENT_URL)]
    pub payment: String,
    /// The notification-service admin's base URL (what each customer was told).
    #[arg(long, env = "ORDERS_NOTIFICATION_URL", default_value = DEFAULT_NOTIFICATION_URL)]
    pub notification: String,
}

/// How the payment-service behaves: its group and the simulated provider's rules, the
/// options `serve-payment` and `up` share.
#[derive(Debug, Clone, Args)]
pub struct PaymentOptions {
    #[command(flatten)]
    pub group: PaymentGroup,
    /// Decline every charge above this amount.
    #[arg(long, env = "PAYMENT_DECLINE_OVER", value_name = "AMOUNT")]
    pub decline_over: Option<f64>,
    /// Decline this fraction (0 to 1) of the other charges, chosen by a hash of the
    /// correlation id and --seed, so that a redelivered order gets the same answer.
    #[arg(long, env = "PAYMENT_DECLINE_RATE", default_value_t = 0.0, value_parser = parse_fraction)]
    pub decline_rate: f64,
    /// Seed of the simulated provider's decisions.
    #[arg(long, env = "PAYMENT_SEED", default_value_t = 0)]
    pub seed: u64,
    /// How long each charge takes (the simulated provider's answer time).
    #[arg(long, env = "PAYMENT_LATENCY", default_value = "0s", value_parser = parse_duration_or_zero)]
    pub latency: Duration,
}

impl PaymentOptions {
    /// The simulated provider these options describe.
    pub fn provider(&self) -> orders_payment::SimulatedProvider {
        orders_payment::SimulatedProvider {
            policy: orders_core::saga::payment::SimulatedPolicy {
                decline_over: self.decline_over,
                decline_rate: self.decline_rate,
                seed: self.seed,
            },
            latency: self.latency,
        }
    }
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "expected a fraction from 0 to 1 (0.05 declines 5%), got {s:?}"
        )),
    }
}

#[derive(Debug, Clone, Args)]
pub struct InventoryArgs {
    /// Where the stock and reservations are kept: sqlite://PATH or postgres://USER@HOST/DB
    /// (a database of the inventory-service's own).
    #[arg(
        long,
        env = "INVENTORY_DATABASE_URL",
        default_value = "sqlite://inventory.db"
    )]
    pub database_url: String,
    /// Address of the admin HTTP (health, readiness, /stock, /reservations/{id})
    /// [default: 0.0.0.0:3002 with an admin token, 127.0.0.1:3002 without].
    #[arg(long, env = "INVENTORY_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub inventory: InventoryOptions,
    #[command(flatten)]
    pub service: ServiceOptions,
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
    #[command(flatten)]
    pub access: crate::security::AdminAccessArgs,
    #[command(flatten)]
    pub https: crate::security::HttpsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PaymentArgs {
    /// Where payments are kept: sqlite://PATH or postgres://USER@HOST/DB (a database of
    /// the payment-service's own).
    #[arg(
        long,
        env = "PAYMENT_DATABASE_URL",
        default_value = "sqlite://payments.db"
    )]
    pub database_url: String,
    /// Address of the admin HTTP (health, readiness, /payments/{id})
    /// [default: 0.0.0.0:3003 with an admin token, 127.0.0.1:3003 without].
    #[arg(long, env = "PAYMENT_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub payment: PaymentOptions,
    #[command(flatten)]
    pub service: ServiceOptions,
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
    #[command(flatten)]
    pub access: crate::security::AdminAccessArgs,
    #[command(flatten)]
    pub https: crate::security::HttpsArgs,
}

/// How the notification-service delivers: its group, its channels and its retries, the
/// options `serve-notification` and `up` share.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Notifications")]
pub struct NotificationOptions {
    #[command(flatten)]
    pub group: NotificationGroup,
    /// Send every outcome as a signed JSON POST to this URL (http or https).
    #[arg(long, env = "NOTIFICATION_WEBHOOK_URL", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Sign webhook requests with HMAC-SHA256 under this secret (the Orders-Signature
    /// header; docs/operations.md shows how a receiver checks it).
    #[arg(
        long,
        env = "NOTIFICATION_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
    /// Call the webhook only for customers the directory says opted in (`orders customers
    /// set ID --webhook`); without it, for every order.
    #[arg(long, env = "NOTIFICATION_WEBHOOK_OPT_IN")]
    pub webhook_opt_in: bool,
    /// Email each outcome to the customer's address in the directory through this SMTP
    /// relay: smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or
    /// smtps://USER:PASSWORD@HOST:465.
    #[arg(long, env = "SMTP_URL", value_name = "URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of notification emails, e.g. "Shop <orders@shop.example>" (needed with
    /// --smtp-url).
    #[arg(long, env = "MAIL_FROM", value_name = "MAILBOX")]
    pub mail_from: Option<String>,
    /// Also log every notification when a webhook or email is configured (the log channel
    /// is on by itself when neither is).
    #[arg(long, env = "NOTIFICATION_LOG")]
    pub log_notifications: bool,
    /// Longest one delivery attempt may take.
    #[arg(long, env = "NOTIFICATION_DELIVERY_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub delivery_timeout: Duration,
    /// Attempts before a notification is failed and dead-lettered.
    #[arg(long, env = "NOTIFICATION_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub delivery_attempts: u32,
    /// Deliveries in flight at once.
    #[arg(long, env = "NOTIFICATION_CONCURRENCY", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub delivery_concurrency: u32,
    /// Wait before the second attempt; it doubles with each attempt (half of it random).
    #[arg(long, env = "NOTIFICATION_RETRY_INITIAL", default_value = "1s", value_parser = parse_duration)]
    pub retry_initial: Duration,
    /// Longest wait between two attempts (a Retry-After up to an hour is honoured).
    #[arg(long, env = "NOTIFICATION_RETRY_MAX", default_value = "5m", value_parser = parse_duration)]
    pub retry_max: Duration,
}

impl NotificationOptions {
    /// The channels these options configure; the log channel when no other is.
    pub fn channels(&self) -> anyhow::Result<orders_notification::ChannelConfig> {
        let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        let webhook = nonempty(&self.webhook_url).map(|url| orders_notification::WebhookConfig {
            url,
            secret: nonempty(&self.webhook_secret),
        });
        let email = match (nonempty(&self.smtp_url), nonempty(&self.mail_from)) {
            (None, _) => None,
            (Some(_), None) => bail!(
                "--smtp-url (SMTP_URL) needs --mail-from (MAIL_FROM), the sender of the \
                 notification emails"
            ),
            (Some(smtp_url), Some(from)) => {
                Some(orders_notification::EmailConfig { smtp_url, from })
            }
        };
        let log = self.log_notifications || (webhook.is_none() && email.is_none());
        Ok(orders_notification::ChannelConfig {
            webhook,
            email,
            log,
            webhook_opt_in: self.webhook_opt_in,
        })
    }

    /// How deliveries are made, with `shutdown`'s grace for what is in flight.
    pub fn delivery(&self, shutdown: &ShutdownArgs) -> orders_notification::DeliverySettings {
        orders_notification::DeliverySettings {
            concurrency: self.delivery_concurrency as usize,
            attempt_timeout: self.delivery_timeout,
            max_attempts: self.delivery_attempts,
            backoff: orders_runtime::Backoff {
                initial: self.retry_initial,
                max: self.retry_max.max(self.retry_initial),
            },
            shutdown_grace: shutdown.shutdown_timeout / 2,
            ..orders_notification::DeliverySettings::default()
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct NotificationArgs {
    /// Where notifications and the customer directory are kept: sqlite://PATH or
    /// postgres://USER@HOST/DB (a database of the notification-service's own).
    #[arg(
        long,
        env = "NOTIFICATION_DATABASE_URL",
        default_value = "sqlite://notifications.db"
    )]
    pub database_url: String,
    /// Address of the admin HTTP (health, readiness, /notifications, /customers).
    #[arg(
        long,
        env = "NOTIFICATION_ADMIN_LISTEN",
        default_value = "0.0.0.0:3004"
    )]
    pub admin_listen: SocketAddr,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub notification: NotificationOptions,
    #[command(flatten)]
    pub service: ServiceOptions,
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
}

/// `orders up`: the options of both services, with listen addresses on this machine only.
#[derive(Debug, Clone, Args)]
pub struct UpArgs {
    /// Directory for the broker's log, its durable storage and the orders database.
    #[arg(long, env = "ORDERS_DATA_DIR", default_value = ".orders")]
    pub data_dir: PathBuf,
    /// Gateway address.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Order-service admin address.
    #[arg(long, env = "ADMIN_LISTEN", default_value = "127.0.0.1:3001")]
    pub admin_listen: SocketAddr,
    /// Inventory-service admin address.
    #[arg(long, env = "INVENTORY_ADMIN_LISTEN", default_value = "127.0.0.1:3002")]
    pub inventory_listen: SocketAddr,
    /// Payment-service admin address.
    #[arg(long, env = "PAYMENT_ADMIN_LISTEN", default_value = "127.0.0.1:3003")]
    pub payment_listen: SocketAddr,
    /// Notification-service admin address.
    #[arg(
        long,
        env = "NOTIFICATION_ADMIN_LISTEN",
        default_value = "127.0.0.1:3004"
    )]
    pub notification_listen: SocketAddr,
    /// Stock to set at start, as SKU=UNITS (repeatable, or comma-separated). Without it,
    /// an inventory that has no stock yet starts with 100000 units of each of SKU-1 to
    /// SKU-500 (the SKUs `orders bench` orders); one that has stock keeps it.
    #[arg(long, value_name = "SKU=UNITS", value_delimiter = ',', value_parser = parse_stock)]
    pub stock: Vec<(String, u64)>,
    /// Partitions of the topics, when they are created.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub partitions: i32,
    /// Show the live dashboard (`orders dash`) of the stack it started, on this terminal;
    /// quitting it (q, Ctrl-C) stops everything.
    #[arg(long)]
    pub dash: bool,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub gateway: GatewayOptions,
    #[command(flatten)]
    pub consumer: ConsumerOptions,
    #[command(flatten)]
    pub inventory: InventoryOptions,
    #[command(flatten)]
    pub payment: PaymentOptions,
    #[command(flatten)]
    pub notification: NotificationOptions,
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
    #[command(flatten)]
    pub access: crate::security::AdminAccessArgs,
    #[command(flatten)]
    pub gateway_access: crate::security::GatewayAccessArgs,
}

impl UpArgs {
    /// `config` with the shutdown options and the admin token every service of `up`
    /// shares.
    pub fn shutdown_options(&self, mut config: ServiceConfig) -> ServiceConfig {
        config.serve = self.shutdown.serve_options();
        config.admin_token = self.access.token();
        config
    }
}

/// `SKU-1=100` → (`SKU-1`, 100). The SKU may itself contain `=`; the units are what
/// follows the last one.
pub fn parse_stock(s: &str) -> Result<(String, u64), String> {
    let usage = || format!("expected SKU=UNITS such as SKU-1=100, got {s:?}");
    let (sku, units) = s.trim().rsplit_once('=').ok_or_else(usage)?;
    let units: u64 = units.trim().parse().map_err(|_| usage())?;
    if sku.is_empty() {
        return Err(usage());
    }
    Ok((sku.to_owned(), units))
}

#[derive(Debug, Clone, Args)]
pub struct TopicsCreateArgs {
    /// Topics to create [default: every topic of the pipeline].
    pub topics: Vec<String>,
    /// Partitions of each topic.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub partitions: i32,
    /// Replicas of each partition (1 on a single broker).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub replication_factor: i32,
    /// min.insync.replicas of each topic: how many replicas must have a record before a
    /// producer's acks=all write is acknowledged [default: the replication factor - 1, at
    /// least 1].
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub min_insync_replicas: Option<i32>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// How long to wait for the cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    pub shell: clap_complete::Shell,
}
