//! The HTTP plumbing that the gateway and the order-service's admin port share, so that
//! both shut down, fail and log the same way.

mod error;
mod serve;

pub use error::{ApiError, CORRELATION_ID};
pub use serve::{Draining, ServeOptions, serve};

use axum::extract::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

/// One span per HTTP request (`http`, with method, path and, once known, the
/// correlation id; handlers fill it with `Span::current().record(..)`), and a debug
/// event per response with its status and latency. Debug level: at production volume
/// the per-order lines are opt-in with `RUST_LOG=debug`.
pub fn request_spans() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, fn(&Request) -> Span>
{
    TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request) -> Span)
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        // A 503 is an answer, not a crash: `ApiError` already logs it with its cause.
        .on_failure(DefaultOnFailure::new().level(Level::DEBUG))
}

fn request_span(request: &Request) -> Span {
    tracing::debug_span!(
        "http",
        method = %request.method(),
        path = %request.uri().path(),
        correlation_id = tracing::field::Empty,
    )
}
