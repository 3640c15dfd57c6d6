//! W3C trace context across process boundaries: from an HTTP request into the gateway's
//! span, from a span into Kafka record headers, and from those headers into the
//! order-service's span.
//!
//! Trace Context asks every participant to forward the context it was given, whether it
//! records spans or not, so the W3C propagator is always installed. When spans are
//! exported, a record carries the context of the span that produced it; when they are
//! not, it carries the caller's context unchanged ([`within`] keeps it at hand while a
//! request is handled), so a service downstream that does export still joins the caller's
//! trace. A request that brought no context gets none made up for it.

use opentelemetry::context::FutureExt;
use opentelemetry::global;
use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TraceContextExt;
use std::future::Future;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

pub use opentelemetry::Context;

/// The context in an HTTP request's `traceparent` and `tracestate` (empty without them).
pub fn from_http(headers: &http::HeaderMap) -> Context {
    global::get_text_map_propagator(|p| p.extract(&HttpHeaders(headers)))
}

/// Makes `span` a child of the context in the request's `traceparent`, if any.
pub fn continue_from_http(span: &Span, headers: &http::HeaderMap) {
    set_parent(span, from_http(headers));
}

/// Makes `span` a child of `parent`, when `parent` holds a trace context.
pub fn continue_from(span: &Span, parent: Context) {
    set_parent(span, parent);
}

/// Runs `future` with `context` as the current one, so that [`inject_into_record`] can
/// forward it when no span of ours is recorded.
pub fn within<F: Future>(context: Context, future: F) -> impl Future<Output = F::Output> {
    future.with_context(context)
}

/// Makes `span` a child of the context in a record's headers, if any.
pub fn continue_from_record(span: &Span, headers: &[(String, Vec<u8>)]) {
    let parent = global::get_text_map_propagator(|p| p.extract(&RecordHeaders(headers)));
    set_parent(span, parent);
}

/// Appends a trace context to record headers (`traceparent`, `tracestate`): `span`'s when
/// it is recorded, otherwise the current one (the caller's, see [`within`]), if any.
pub fn inject_into_record(span: &Span, headers: &mut Vec<(String, Vec<u8>)>) {
    let recorded = span.context();
    let context = if recorded.span().span_context().is_valid() {
        recorded
    } else {
        Context::current()
    };
    global::get_text_map_propagator(|p| p.inject_context(&context, &mut RecordHeadersMut(headers)));
}

fn set_parent(span: &Span, parent: Context) {
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
