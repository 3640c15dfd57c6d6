//! The order-service's own admin endpoints, beside the runtime's health, readiness and
//! counters: the orders it keeps (`GET /orders/{correlationId}`), which is how `orders
//! submit --wait`, `orders trace` and `orders bench --e2e` see that an order was
//! persisted.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use orders_core::api::{LookupRequest, OrderList};
use orders_core::{CorrelationId, Order, OrderStore, Violation};
use orders_http::ApiError;
use serde::Deserialize;
use std::sync::Arc;

/// Most ids one lookup may ask for.
pub const MAX_LOOKUP: usize = 10_000;
const MAX_LIMIT: u32 = 1_000;

pub(crate) fn routes(store: Arc<dyn OrderStore>) -> Router {
    Router::new()
        .route("/orders", get(recent))
        .route("/orders/{correlation_id}", get(order))
        // Not under /orders/: every id is a possible `/orders/{correlationId}`, `lookup`
        // included.
        .route("/lookup", post(lookup))
        .with_state(store)
}

async fn order(
    State(store): State<Arc<dyn OrderStore>>,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    let id = CorrelationId::parse(&id)
        .map_err(|e| ApiError::bad_request(format!("invalid correlation id: {e}"), Vec::new()))?;
    match store.get(&id).await.map_err(orders_runtime::store_error)? {
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

/// The most recently persisted orders, newest first (`?limit=N`, 1 to 1000, default 20).
async fn recent(
    State(store): State<Arc<dyn OrderStore>>,
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
    let orders = store
        .recent(limit)
        .await
        .map_err(orders_runtime::store_error)?;
    Ok(Json(OrderList { orders }))
}

/// Every stored row for the given ids: `{"correlationIds": [...]}` in, `{"orders": [...]}`
/// out. More than one row for an id would be a duplicate, which the store forbids; the
/// benchmark counts them anyway, to check that it does.
async fn lookup(
    State(store): State<Arc<dyn OrderStore>>,
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
    let orders = store
        .lookup(&request.correlation_ids)
        .await
        .map_err(orders_runtime::store_error)?;
    Ok(Json(OrderList { orders }))
}
