//! Logs: `tracing` to stderr, pretty or JSON, level from `RUST_LOG` (default `info`).

use crate::cli::LogFormat;
use tracing_subscriber::EnvFilter;

pub(crate) fn init(format: LogFormat) {
    // librdkafka reports every reconnect attempt; at info that drowns the service's own
    // lines while a broker restarts.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,librdkafka=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.compact().init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
    }
}
