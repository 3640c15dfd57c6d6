//! The command line: every subcommand, flag and environment variable of `orders`.
//!
//! Flags that configure a connection also read the seed's environment variables
//! (`KAFKA_BROKERS`, `KAFKA_CLIENT_ID`, `KAFKA_TOPIC_ORDER_CREATED`, `KAFKA_GROUP_ID`,
//! `DATABASE_URL`); a flag given on the command line wins over the environment.

use crate::commands::{bench, dash, db, dlq, lag, submit, tail, trace};
use crate::duration::{parse_duration, parse_duration_or_zero};
use clap::{Args, Parser, Subcommand, ValueEnum};
use orders_kafka::{KafkaConfig, parse_option};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_BROKERS: &str = "localhost:9094";
pub const DEFAULT_GATEWAY_URL: &str = "http://localhost:3000";
pub const DEFAULT_ADMIN_URL: &str = "http://localhost:3001";

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
    /// topics, gateway and order-service on SQLite. Ctrl-C stops everything.
    Up(UpArgs),
    /// Run the HTTP API gateway: POST /orders publishes order_created.
    ServeGateway(GatewayArgs),
    /// Run the order-service: consume order_created and persist pending orders.
    ServeConsumer(ConsumerArgs),
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
    /// The dead-letter topic: follow it, or replay its records once their cause is fixed.
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
    /// Create topics (by default order_created and its dead-letter topic); a topic that
    /// already exists is reported, not an error.
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
    pub security: crate::security::KafkaSecurityArgs,
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

#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    /// Address to listen on.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "0.0.0.0:3000")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// How long the broker may take to acknowledge an event before the client gets 503.
    #[arg(long, env = "PUBLISH_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub publish_timeout: Duration,
    /// Longest a request may take in all; must exceed --publish-timeout.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
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
    #[command(flatten)]
    pub shutdown: ShutdownArgs,
    #[command(flatten)]
    pub access: crate::security::AdminAccessArgs,
    #[command(flatten)]
    pub https: crate::security::HttpsArgs,
}

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
    /// Partitions of the topics, when they are created.
    #[arg(long, default_value_t = 6)]
    pub partitions: i32,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

#[derive(Debug, Clone, Args)]
pub struct TopicsCreateArgs {
    /// Topics to create [default: the order_created topic and its dead-letter topic].
    pub topics: Vec<String>,
    /// Partitions of each topic.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub partitions: i32,
    /// Replicas of each partition (1 on a single broker).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub replication_factor: i32,
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
