//! Logs and traces for one run of `orders`: see `orders_telemetry`. Which service a
//! process is (for the `service.name` of its spans) depends on the command it runs.

use crate::cli::{Command, LogFormat};
use orders_telemetry::Telemetry;

/// Sets up logging (and trace export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set). Runs
/// before the async runtime exists, as the trace exporter requires.
pub(crate) fn init(
    format: LogFormat,
    command: &Command,
) -> Result<Telemetry, orders_telemetry::Error> {
    let format = match format {
        LogFormat::Pretty => orders_telemetry::LogFormat::Pretty,
        LogFormat::Json => orders_telemetry::LogFormat::Json,
    };
    let service = match command {
        Command::ServeGateway(_) => "api-gateway",
        Command::ServeConsumer(_) => "order-service",
        Command::ServeNotification(_) => "notification-service",
        Command::Up(_) => "orders",
        _ => "orders-cli",
    };
    orders_telemetry::init(service, format)
}
