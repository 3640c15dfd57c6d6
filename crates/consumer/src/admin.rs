//! The order-service's small admin HTTP: health, readiness, counters, and the orders it
//! keeps (`GET /orders/{correlationId}`), which is how `orders submit --wait`, `orders
//! trace` and `orders bench --e2e` see that an order was persisted.

use crate::status::{Counters, Status};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use orders_core::{CorrelationId, Order, OrderStore, StoreError, Violation};
use orders_http::{ApiError, Draining};
use orders_kafka::consumer::CommitHealth;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Most ids one lookup may ask for.
pub const MAX_LOOKUP: usize = 10_000;
const MAX_LIMIT: u32 = 1_000;

#[derive(Debug, Clone)]
pub(crate) struct Admin {
    pub(crate) store: Arc<dyn OrderStore>,
    pub(crate) status: Arc<Status>,
    pub(crate) commits: Arc<CommitHealth>,
    /// Commits failing longer than this make the service unready (the group's session
    /// timeout: by then the group has moved on without this member)...
    pub(crate) unready_after: Duration,
    /// ...and longer than this make it unhealthy, so that an orchestrator restarts it.
    pub(crate) unhealthy_after: Duration,
    pub(crate) draining: Draining,
}

pub(crate) fn router(admin: Admin) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/stats", get(stats))
        .route("/orders", get(recent))
        .route("/orders/{correlation_id}", get(order))
        // Not under /orders/: every id is a possible `/orders/{correlationId}`, `lookup`
        // included.
        .route("/lookup", post(lookup))
        .with_state(admin);
    orders_http::observe(routes, "order-service")
}

/// Alive, unless offset commits have been failing for long: a restart is what brings
/// such a member back into its group.
async fn healthz(State(admin): State<Admin>) -> Result<Json<Value>, ApiError> {
    match admin.commits.failing_for() {
        Some(failing) if failing > admin.unhealthy_after => Err(commits_failing(failing)),
        _ => Ok(Json(json!({"status": "ok"}))),
    }
}

fn commits_failing(failing: Duration) -> ApiError {
    ApiError::unavailable(
        format!(
            "offset commits have been failing for {} s",
            failing.as_secs()
        ),
        5,
    )
}

/// Ready when not shutting down, not retrying a failure, committing offsets, and the
/// database answers.
async fn readyz(State(admin): State<Admin>) -> Result<Json<Value>, ApiError> {
    if admin.draining.is_draining() {
        return Err(ApiError::unavailable("shutting down", 5));
    }
    if let Some(failure) = admin.status.failure() {
        return Err(ApiError::unavailable(format!("retrying: {failure}"), 2));
    }
    if let Some(failing) = admin
        .commits
        .failing_for()
        .filter(|f| *f > admin.unready_after)
    {
        return Err(commits_failing(failing));
    }
    admin.store.ping().await.map_err(store_error)?;
    Ok(Json(json!({"status": "ready"})))
}

async fn stats(State(admin): State<Admin>) -> Json<Counters> {
    Json(admin.status.counters())
}

async fn order(
    State(admin): State<Admin>,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    let id = CorrelationId::parse(&id)
        .map_err(|e| ApiError::bad_request(format!("invalid correlation id: {e}"), Vec::new()))?;
    match admin.store.get(&id).await.map_err(store_error)? {
        Some(order) => Ok(Json(order)),
        None => Err(ApiError::not_found(format!(
            "no order with correlationId {id}"
        ))),
    }
}

#[derive(Debug, Deserialize)]
struct RecentQuery {
    limit: Option<u32>,
}

#[derive(Debug, Serialize)]
struct OrderList {
    orders: Vec<Order>,
}

/// The most recently persisted orders, newest first (`?limit=N`, 1 to 1000, default 20).
async fn recent(
    State(admin): State<Admin>,
    query: Result<Query<RecentQuery>, QueryRejection>,
) -> Result<Json<OrderList>, ApiError> {
    let Query(query) = query.map_err(|e| {
        ApiError::bad_request(
            format!("invalid query: {}", e.body_text()),
            vec![Violation::new("limit", "must be an integer from 1 to 1000")],
        )
    })?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            format!("limit must be from 1 to {MAX_LIMIT}, got {limit}"),
            vec![Violation::new("limit", "must be an integer from 1 to 1000")],
        ));
    }
    let orders = admin.store.recent(limit).await.map_err(store_error)?;
    Ok(Json(OrderList { orders }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LookupRequest {
    correlation_ids: Vec<CorrelationId>,
}

/// Every stored row for the given ids: `{"correlationIds": [...]}` in, `{"orders": [...]}`
/// out. More than one row for an id would be a duplicate, which the store forbids; the
/// benchmark counts them anyway, to check that it does.
async fn lookup(
    State(admin): State<Admin>,
    body: Result<Json<LookupRequest>, JsonRejection>,
) -> Result<Json<OrderList>, ApiError> {
    let Json(request) = body.map_err(|e| {
        ApiError::bad_request(format!("invalid lookup: {}", e.body_text()), Vec::new())
    })?;
    if request.correlation_ids.len() > MAX_LOOKUP {
        return Err(ApiError::bad_request(
            format!("at most {MAX_LOOKUP} correlationIds per lookup"),
            vec![Violation::new("/correlationIds", "too many ids")],
        ));
    }
    let orders = admin
        .store
        .lookup(&request.correlation_ids)
        .await
        .map_err(store_error)?;
    Ok(Json(OrderList { orders }))
}

fn store_error(error: StoreError) -> ApiError {
    ApiError::unavailable(error.to_string(), 2)
}
