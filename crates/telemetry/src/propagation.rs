//! W3C trace context across process boundaries: from an HTTP request into the gateway's
//! span, from a span into Kafka record headers, and from those headers into the
//! order-service's span. With no exporter configured the propagator is a no-op and
//! nothing is written.

use opentelemetry::Context;
use opentelemetry::global;
use opentelemetry::propagation::{Extractor, Injector};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Makes `span` a child of the context in the request's `traceparent`, if any.
pub fn continue_from_http(span: &Span, headers: &http::HeaderMap) {
    let parent = global::get_text_map_propagator(|p| p.extract(&HttpHeaders(headers)));
    set_parent(span, parent);
}

/// Makes `span` a child of the context in a record's headers, if any.
pub fn continue_from_record(span: &Span, headers: &[(String, Vec<u8>)]) {
    let parent = global::get_text_map_propagator(|p| p.extract(&RecordHeaders(headers)));
    set_parent(span, parent);
}

/// Appends `span`'s context to record headers (`traceparent`, `tracestate`).
pub fn inject_into_record(span: &Span, headers: &mut Vec<(String, Vec<u8>)>) {
    let context = span.context();
    global::get_text_map_propagator(|p| p.inject_context(&context, &mut RecordHeadersMut(headers)));
}

fn set_parent(span: &Span, parent: Context) {
    use opentelemetry::trace::TraceContextExt;
    if parent.span().span_context().is_valid() {
        // Fails only for a span that is disabled or already started as a root: nothing
        // to continue then.
        let _ = span.set_parent(parent);
    }
}

struct HttpHeaders<'a>(&'a http::HeaderMap);

impl Extractor for HttpHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

struct RecordHeaders<'a>(&'a [(String, Vec<u8>)]);

impl Extractor for RecordHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

struct RecordHeadersMut<'a>(&'a mut Vec<(String, Vec<u8>)>);

impl Injector for RecordHeadersMut<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.retain(|(k, _)| k != key);
        self.0.push((key.to_owned(), value.into_bytes()));
    }
}
