//! Liveness and readiness, for orchestrators and for `orders up`.
//!
//! `/healthz` says the process answers; `/readyz` says an order sent now would be
//! accepted: the broker answers and the gateway is not shutting down.

use crate::Gateway;
use axum::Json;
use axum::extract::State;
use orders_http::ApiError;
use serde_json::{Value, json};

pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub(crate) async fn readyz(State(gateway): State<Gateway>) -> Result<Json<Value>, ApiError> {
    if gateway.draining.is_draining() {
        return Err(ApiError::unavailable("shutting down", 5));
    }
    gateway
        .publisher
        .ready()
        .await
        .map_err(|e| ApiError::unavailable(format!("the broker is not reachable: {e}"), 2))?;
    Ok(Json(json!({"status": "ready"})))
}
