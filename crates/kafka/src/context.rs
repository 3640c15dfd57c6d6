//! librdkafka's own log lines and errors, as `tracing` events. A refused connection (a
//! wrong password, an untrusted certificate: see [`crate::diagnosis`]) is logged once
//! as an error that says what to fix, and its repeats at debug.

use crate::diagnosis::{self, Observed};
use rdkafka::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;

/// A client context that routes librdkafka's logs to `tracing` under the target
/// `librdkafka`, so `RUST_LOG=librdkafka=debug` shows the client's view of the cluster.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientLogging;

impl ClientContext for ClientLogging {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        log(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        error_event(&error, reason);
    }
}

pub(crate) fn log(level: RDKafkaLogLevel, facility: &str, message: &str) {
    use RDKafkaLogLevel::*;
    if matches!(level, Emerg | Alert | Critical | Error | Warning) && refusal(None, message) {
        return;
    }
    match level {
        Emerg | Alert | Critical => tracing::error!(target: "librdkafka", facility, "{message}"),
        // librdkafka's "errors" are mostly a broker it cannot reach, which it retries
        // by itself: worth a warning, not an alert.
        Error | Warning => tracing::warn!(target: "librdkafka", facility, "{message}"),
        Notice | Info => tracing::info!(target: "librdkafka", facility, "{message}"),
        Debug => tracing::debug!(target: "librdkafka", facility, "{message}"),
    }
}

/// Transport errors (a broker going away) are routine for a client that reconnects by
/// itself, and librdkafka's log already has a line for each: they are debug events here.
/// Anything else is a warning.
pub(crate) fn error_event(error: &KafkaError, reason: &str) {
    use rdkafka::error::RDKafkaErrorCode::{AllBrokersDown, BrokerTransportFailure};
    if refusal(error.rdkafka_error_code(), reason) {
        return;
    }
    match error.rdkafka_error_code() {
        Some(AllBrokersDown | BrokerTransportFailure) => {
            tracing::debug!(target: "librdkafka", %error, reason);
        }
        _ => tracing::warn!(target: "librdkafka", %error, reason),
    }
}

/// Logs a refused connection, the first time in a while as an error and otherwise at
/// debug; false when `text` is not one.
fn refusal(code: Option<rdkafka::error::RDKafkaErrorCode>, text: &str) -> bool {
    match diagnosis::observe(code, text) {
        Observed::Other => false,
        Observed::Repeat => {
            tracing::debug!(target: "librdkafka", "{text}");
            true
        }
        Observed::Report(line) => {
            tracing::error!(target: "orders_kafka", "cannot connect to Kafka: {line}");
            true
        }
    }
}

/// Readers without a group need no rebalance handling of their own.
impl rdkafka::consumer::ConsumerContext for ClientLogging {}
