//! What every request leaves behind: a span, a log line at debug, and two metrics.
//!
//! The span follows the OpenTelemetry HTTP server conventions (`otel.name` "POST
//! /orders", `http.request.method`, `http.route`, `http.response.status_code`) and
//! continues the caller's W3C `traceparent`; handlers add the `correlation_id` once they
//! know it. The caller's context is also kept current while the request is handled, so
//! that a record published for it forwards the context even when no span is recorded. The metrics are labelled by route template, never by raw path or id, so
//! their cardinality stays bounded.
//!
//! One middleware does all three: it runs on every request of the gateway's hot path,
//! where a layer per concern (and tower-http's body wrapper) showed up in profiles.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use orders_telemetry::propagation;
use std::time::Instant;
use tracing::Instrument;

/// The path [`observe`] serves the metrics at (`GET`).
pub const METRICS_PATH: &str = "/metrics";

/// Adds `GET /metrics`, a span per request and the request metrics to `router`, whose
/// requests are counted under `service`.
pub fn observe(router: Router, service: &'static str) -> Router {
    // Installed before the first request, so nothing recorded is lost.
    orders_telemetry::prometheus::handle();
    router
        .route(METRICS_PATH, get(metrics))
        .layer(middleware::from_fn_with_state(service, observed))
}

async fn observed(State(service): State<&'static str>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    // Route templates are few and fixed: keep them as the router's own strings.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let span = tracing::debug_span!(
        "http",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = method,
        http.route = route,
        url.path = request.uri().path(),
        http.response.status_code = tracing::field::Empty,
        correlation_id = tracing::field::Empty,
    );
    let caller = propagation::from_http(request.headers());
    if !span.is_disabled() {
        propagation::continue_from(&span, caller.clone());
    }

    let response = propagation::within(caller, next.run(request).instrument(span.clone())).await;

    let status = response.status();
    let elapsed = started.elapsed();
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    span.in_scope(|| {
        tracing::debug!(
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1e3,
            "answered"
        );
    });
    let labels = [
        ("service", service.to_owned()),
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.as_str().to_owned()),
    ];
    metrics::counter!("orders_http_requests_total", &labels).increment(1);
    metrics::histogram!("orders_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else as `other`, so a
/// client cannot grow the label set.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// `GET /metrics`: the process's registry in the Prometheus text format.
async fn metrics() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        orders_telemetry::prometheus::render(),
    )
}
