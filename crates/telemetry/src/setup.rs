//! The process-wide `tracing` subscriber: a log layer always, an OpenTelemetry layer
//! only when an OTLP endpoint is configured.
//!
//! The two layers filter separately. Logs follow `RUST_LOG`; the OpenTelemetry layer
//! takes every span of the `orders_*` crates, including the debug-level per-request and
//! per-event spans that logging leaves disabled. So with no endpoint those spans cost
//! nothing, and with one they are exported whatever the log level.

use crate::Error;
use opentelemetry::global;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Keeps the exporter alive; dropping it flushes the spans not yet sent.
#[derive(Debug)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are being exported.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            let _ = provider.shutdown();
        }
    }
}

/// Installs the global subscriber. `service` names the process in traces unless
/// `OTEL_SERVICE_NAME` says otherwise. Must run before any async runtime starts: the
/// OTLP exporter's blocking HTTP client brings a runtime of its own.
pub fn init(service: &str, format: LogFormat) -> Result<Telemetry, Error> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,librdkafka=warn"));
    // Colours only for a person at a terminal: a file or a log collector gets plain text.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let logs = fmt::layer().with_writer(std::io::stderr).with_ansi(ansi);
    let logs = match format {
        LogFormat::Pretty => logs.compact().with_filter(filter).boxed(),
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_filter(filter)
            .boxed(),
    };

    // Always: a caller's trace context is forwarded whether or not spans are exported.
    global::set_text_map_propagator(TraceContextPropagator::new());
    let provider = match std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Ok(endpoint) if !endpoint.trim().is_empty() => Some(tracer_provider(service)?),
        _ => None,
    };
    let traces = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("orders"))
            .with_filter(filter_fn(|meta| {
                meta.is_span() && meta.target().starts_with("orders_")
            }))
    });
    // A second init (tests run several commands in one process) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init();
    Ok(Telemetry { provider })
}

fn tracer_provider(service: &str) -> Result<SdkTracerProvider, Error> {
    let protocol = match std::env::var("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
        Err(_) | Ok("" | "http/protobuf") => Protocol::HttpBinary,
        Ok("http/json") => Protocol::HttpJson,
        Ok(other) => return Err(Error::Protocol(other.to_owned())),
    };
    // The endpoint itself comes from OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends
    // /v1/traces), as every OpenTelemetry SDK reads it.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .build()
        .map_err(|e| Error::Exporter(e.to_string()))?;
    let service = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| service.to_owned());
    let resource = Resource::builder().with_service_name(service).build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}
