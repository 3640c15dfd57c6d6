//! The gateway's OpenAPI 3.1 document, served at `GET /openapi.json`.
//!
//! Clients and tools (code generators, schemathesis) need a contract they can trust, so
//! the document is generated from the code rather than written by hand: every body's
//! schema is derived from the type that serialises it (`orders_core::api` and the core's
//! request and event, through its `openapi` feature), so a field added to `OrderCreated`
//! appears here without anyone remembering to. The gateway's tests hold the document to
//! the router: the routes it documents are exactly [`crate::routes`], and the bodies the
//! gateway really sends validate against the schemas documented for them.

use crate::auth::Documented;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use orders_core::api::{Accepted, ErrorBody, Probe, ProbeStatus};
use orders_core::{OrderCreated, OrderItem, OrderRequest, Violation};
use std::sync::LazyLock;
use utoipa::OpenApi;

/// The document, as the types describe it.
pub fn document() -> utoipa::openapi::OpenApi {
    GatewayApi::openapi()
}

/// `GET /openapi.json`. Serialised once: the document cannot change while we run.
pub(crate) async fn serve() -> impl IntoResponse {
    static JSON: LazyLock<Vec<u8>> =
        // Plain data with string keys: serialising it into a Vec cannot fail.
        LazyLock::new(|| serde_json::to_vec(&document()).unwrap_or_default());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        JSON.as_slice(),
    )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orders gateway",
        description = "The entry of the order pipeline: `POST /orders` validates an order, \
            publishes it as an `order_created` event keyed by its correlation id, and answers \
            202 once the broker has acknowledged it. It never waits for the order-service.\n\n\
            Every answer that is not a success has the same JSON body: `error`, and `details` \
            naming each offending field by its JSON Pointer.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(submit_order, healthz, readyz, metrics, openapi_json),
    modifiers(&Documented),
    components(schemas(OrderRequest, OrderItem, OrderCreated, Accepted, ErrorBody, Violation, ProbeStatus, Probe)),
    tags((name = "orders", description = "Orders entering the pipeline"),
         (name = "operations", description = "Probes, metrics and this document")),
)]
struct GatewayApi;

/// Submit an order.
///
/// Checks run cheapest first, and nothing is published unless all pass: the content
/// type (415), the `x-correlation-id` header (400), the body size (413, 64 KiB), the JSON
/// syntax (400), then every field at once (400, each offending field named in `details`).
/// Fields the contract does not know are ignored. A retry with the same
/// `x-correlation-id` never creates a second order.
#[utoipa::path(
    post,
    path = "/orders",
    tag = "orders",
    params(
        ("x-correlation-id" = Option<String>, Header,
            description = "The order's id, to retry without creating a second order: 1 to \
                128 visible ASCII characters (no spaces). Without it the gateway makes a UUID \
                v4; one that breaks the rule is refused with 400, not replaced.",
            min_length = 1, max_length = 128, pattern = "^[!-~]{1,128}$"),
    ),
    request_body(
        content = OrderRequest,
        content_type = "application/json",
        description = "The order. `application/*+json` is accepted too.",
    ),
    responses(
        (status = 202, description = "Published: the broker has acknowledged the event.",
            body = Accepted,
            headers(("x-correlation-id" = String, description = "The order's correlation id."))),
        (status = 400, description = "The body is not JSON or breaks a rule, or the \
            `x-correlation-id` header is invalid. Nothing was published.", body = ErrorBody),
        (status = 408, description = "The request took longer than the request timeout \
            (10 s by default, body upload included). Nothing was published."),
        (status = 413, description = "The body is larger than the limit (64 KiB by \
            default). Nothing was published.", body = ErrorBody),
        (status = 415, description = "The content type is not `application/json` (or \
            `application/*+json`). Nothing was published.", body = ErrorBody),
        (status = 503, description = "The broker did not acknowledge the event in time, or \
            too many events are waiting for it. Retry after `Retry-After` seconds with the \
            same `x-correlation-id` (also in the body).", body = ErrorBody,
            headers(
                ("Retry-After" = u32, description = "Seconds to wait before retrying."),
                ("x-correlation-id" = String, description = "The id to retry with."),
            )),
    ),
)]
#[expect(
    dead_code,
    reason = "documents orders::submit, which the router serves"
)]
fn submit_order() {}

/// Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Alive.", body = ProbeStatus)),
)]
#[expect(
    dead_code,
    reason = "documents health::healthz, which the router serves"
)]
fn healthz() {}

/// Readiness: an order sent now would be accepted (the broker answers and the gateway is
/// not shutting down).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready.", body = ProbeStatus),
        (status = 503, description = "Shutting down, or the broker is not reachable.",
            body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before asking again."))),
    ),
)]
#[expect(
    dead_code,
    reason = "documents health::readyz, which the router serves"
)]
fn readyz() {}

/// Metrics in the Prometheus text format: requests by route and status, publish latency
/// and failures.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "The Prometheus text exposition format (0.0.4).",
        content_type = "text/plain", body = String)),
)]
#[expect(
    dead_code,
    reason = "documents orders_http::observe's /metrics, which the router serves"
)]
fn metrics() {}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.",
        content_type = "application/json", body = Object)),
)]
#[expect(
    dead_code,
    reason = "documents openapi::serve, which the router serves"
)]
fn openapi_json() {}
