//! The gateway's OpenAPI 3.1 document, served at `GET /openapi.json`.
//!
//! Clients and tools (code generators, schemathesis) need a contract they can trust, so
//! the document is generated from the code rather than written by hand: the request and
//! event schemas are derived from the core's own types (its `openapi` feature), so a field
//! added to `OrderCreated` appears here without anyone remembering to. What the derive
//! cannot see (the answers assembled by `orders-http` and the handlers) is described by
//! the schema-only types below, and the gateway's tests hold them to the real answers:
//! every documented route is routed, every route is documented, and the bodies the
//! gateway really sends validate against the schemas documented for them.

use crate::auth::Documented;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use orders_core::{OrderCreated, OrderItem, OrderRequest, Violation};
use std::sync::LazyLock;
use utoipa::{IntoParams, OpenApi, ToSchema};

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
    components(schemas(OrderRequest, OrderItem, OrderCreated, Accepted, ErrorBody, Violation, Status)),
    tags((name = "orders", description = "Orders entering the pipeline"),
         (name = "operations", description = "Probes, metrics and this document")),
)]
struct GatewayApi;

/// The 202 answer: the exact event that was published and where it landed. Mirrors the
/// handler's private `Accepted`; the gateway's tests validate real answers against it.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "a schema only: the handler serialises its own type"
)]
struct Accepted {
    /// The order's id: the `x-correlation-id` the client sent, or a new UUID v4.
    #[schema(min_length = 1, max_length = 128, pattern = "^[!-~]{1,128}$")]
    correlation_id: String,
    /// The event as it was published (the record value, byte for byte).
    event: OrderCreated,
    /// The partition of `order_created` that holds the event.
    #[schema(minimum = 0)]
    partition: i32,
    /// Its offset in that partition.
    #[schema(minimum = 0)]
    offset: i64,
}

/// Every answer that is not a success. Mirrors `orders_http::ApiError`'s body.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[expect(
    dead_code,
    reason = "a schema only: orders-http serialises its own type"
)]
struct ErrorBody {
    /// What went wrong, in one sentence.
    error: String,
    /// Each offending field, by its JSON Pointer (empty when the fault is not a field's).
    details: Vec<Violation>,
    /// The correlation id to retry with (on 503 from `POST /orders`).
    #[schema(
        value_type = String,
        required = false,
        min_length = 1,
        max_length = 128,
        pattern = "^[!-~]{1,128}$"
    )]
    correlation_id: Option<String>,
}

/// The body of a successful probe.
#[derive(ToSchema)]
#[expect(dead_code, reason = "a schema only: the probes answer with json!")]
struct Status {
    /// `ok` (`/healthz`) or `ready` (`/readyz`).
    #[schema(examples("ok", "ready"))]
    status: String,
}

/// The headers `POST /orders` reads.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[expect(dead_code, reason = "a schema only: the handler reads the header map")]
struct SubmitHeaders {
    /// The order's id, to retry without creating a second order: 1 to 128 visible ASCII
    /// characters (no spaces). Without it the gateway makes a UUID v4; one that breaks the
    /// rule is refused with 400, not replaced.
    #[param(
        rename = "x-correlation-id",
        required = false,
        min_length = 1,
        max_length = 128,
        pattern = "^[!-~]{1,128}$"
    )]
    correlation_id: String,
}

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
    params(SubmitHeaders),
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
    responses((status = 200, description = "Alive.", body = Status)),
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
        (status = 200, description = "Ready.", body = Status),
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
