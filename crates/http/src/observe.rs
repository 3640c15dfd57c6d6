//! What every request leaves behind: a span, a log line at debug, and two metrics.
//!
//! The span follows the OpenTelemetry HTTP server conventions (`otel.name` "POST
//! /orders", `http.request.method`, `http.route`, `http.response.status_code`) and
//! continues the caller's W3C `traceparent`; handlers add the `correlation_id` once they
//! know it. The metrics are labelled by route template, never by raw path or id, so
//! their cardinality stays bounded.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::{Duration, Instant};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{
    DefaultOnBodyChunk, DefaultOnEos, DefaultOnFailure, DefaultOnRequest, TraceLayer,
};
use tracing::{Level, Span};

type Spans = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request) -> Span,
    DefaultOnRequest,
    fn(&Response, Duration, &Span),
    DefaultOnBodyChunk,
    DefaultOnEos,
    DefaultOnFailure,
>;

/// Adds `GET /metrics`, a span per request and the request metrics to `router`, whose
/// requests are counted under `service`.
pub fn observe(router: Router, service: &'static str) -> Router {
    // Installed before the first request, so nothing recorded is lost.
    orders_telemetry::prometheus::handle();
    router
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn_with_state(service, count))
        .layer(spans())
}

fn spans() -> Spans {
    TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request) -> Span)
        .on_response(on_response as fn(&Response, Duration, &Span))
        // A 503 is an answer, not a crash: `ApiError` already logs it with its cause.
        .on_failure(DefaultOnFailure::new().level(Level::DEBUG))
}

fn route(request: &Request) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

fn request_span(request: &Request) -> Span {
    let span = tracing::debug_span!(
        "http",
        otel.name = %format_args!("{} {}", request.method(), route(request)),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %request.method(),
        http.route = route(request),
        url.path = request.uri().path(),
        http.response.status_code = tracing::field::Empty,
        correlation_id = tracing::field::Empty,
    );
    orders_telemetry::propagation::continue_from_http(&span, request.headers());
    span
}

fn on_response(response: &Response, latency: Duration, span: &Span) {
    let status = response.status();
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    tracing::debug!(
        status = status.as_u16(),
        latency_ms = latency.as_secs_f64() * 1e3,
        "answered"
    );
}

async fn count(State(service): State<&'static str>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = route(&request).to_owned();
    let response = next.run(request).await;
    let labels = [
        ("service", service.to_owned()),
        ("method", method),
        ("route", route),
        ("status", response.status().as_str().to_owned()),
    ];
    metrics::counter!("orders_http_requests_total", &labels).increment(1);
    metrics::histogram!("orders_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
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
