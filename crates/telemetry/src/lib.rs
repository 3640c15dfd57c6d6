//! Logs, traces and metrics, set up once for every `orders` command.
//!
//! Logs are `tracing` events on stderr (pretty or JSON, level from `RUST_LOG`). Traces
//! are the same `tracing` spans, exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is
//! set and not even recorded when it is not. Trace context crosses HTTP and Kafka as
//! W3C `traceparent`/`tracestate` headers ([`propagation`]), forwarded even when nothing
//! is exported. Metrics go through the
//! `metrics` facade into one Prometheus registry per process ([`prometheus`]).

pub mod prometheus;
pub mod propagation;
mod setup;

pub use setup::{LogFormat, Telemetry, init};

/// Why telemetry could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid OTEL_EXPORTER_OTLP_PROTOCOL {0:?}: expected http/protobuf or http/json")]
    Protocol(String),
    #[error("cannot build the OTLP span exporter: {0}")]
    Exporter(String),
}
