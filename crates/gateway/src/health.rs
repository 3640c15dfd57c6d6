//! Liveness and readiness, for orchestrators and for `orders up`.
//!
//! `/healthz` says the process answers; `/readyz` says an order sent now would be
//! accepted: the broker answers and the gateway is not shutting down.

use crate::Gateway;
use axum::Json;
use axum::extract::State;
use orders_core::api::ProbeStatus;
use orders_http::ApiError;

pub(crate) async fn healthz() -> Json<ProbeStatus> {
    Json(ProbeStatus::OK)
}

pub(crate) async fn readyz(State(gateway): State<Gateway>) -> Result<Json<ProbeStatus>, ApiError> {
    if gateway.draining.is_draining() {
        return Err(ApiError::unavailable("shutting down", 5));
    }
    gateway
        .publisher
        .ready()
        .await
        .map_err(|e| ApiError::unavailable(format!("the broker is not reachable: {e}"), 2))?;
    Ok(Json(ProbeStatus::READY))
}
