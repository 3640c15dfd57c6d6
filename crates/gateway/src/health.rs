//! Liveness and readiness, for orchestrators and for `orders up`.
//!
//! `/healthz` says the process answers; `/readyz` says an order sent now would be
//! accepted: the broker answers and the gateway is not shutting down.
//!
//! Asking the broker costs a metadata request to the cluster, and probes come often (an
//! orchestrator, a load balancer per instance, each every few seconds), so the broker's
//! answer is kept for [`READINESS_TTL`] and probes that arrive while it is being asked
//! wait for that one answer instead of asking again.

use crate::Gateway;
use axum::Json;
use axum::extract::State;
use orders_core::PublishError;
use orders_core::api::ProbeStatus;
use orders_http::ApiError;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long the broker's answer to a readiness check is kept.
pub(crate) const READINESS_TTL: Duration = Duration::from_secs(1);

/// The broker's last answer to a readiness check, and when it came.
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    last: Mutex<Option<(Instant, Result<(), PublishError>)>>,
}

impl Readiness {
    /// The broker's answer: the one kept, while it is fresh, or a new one.
    async fn check(&self, gateway: &Gateway) -> Result<(), PublishError> {
        // Held while asking: probes that come meanwhile wait for this answer.
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = last.as_ref()
            && at.elapsed() < READINESS_TTL
        {
            return answer.clone();
        }
        let answer = gateway.publisher.ready().await;
        *last = Some((Instant::now(), answer.clone()));
        answer
    }
}

pub(crate) async fn healthz() -> Json<ProbeStatus> {
    Json(ProbeStatus::OK)
}

pub(crate) async fn readyz(State(gateway): State<Gateway>) -> Result<Json<ProbeStatus>, ApiError> {
    if gateway.draining.is_draining() {
        return Err(ApiError::unavailable("shutting down", 5));
    }
    gateway
        .readiness
        .check(&gateway)
        .await
        .map_err(|e| ApiError::unavailable(format!("the broker is not reachable: {e}"), 2))?;
    Ok(Json(ProbeStatus::READY))
}
