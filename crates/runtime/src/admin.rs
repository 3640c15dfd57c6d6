//! The admin HTTP every consuming service serves: liveness, readiness, counters and
//! metrics, with the service's own read endpoints merged in. With a token configured,
//! everything but the probes and `/metrics` requires it (`Authorization: Bearer`).

use crate::status::Status;
use async_trait::async_trait;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use orders_core::StoreError;
use orders_core::api::{ProbeStatus, Stats};
use orders_http::{ApiError, Credentials, Draining, Scheme};
use orders_kafka::consumer::CommitHealth;
use std::sync::Arc;
use std::time::Duration;

/// Whether a service's own dependencies answer.
#[async_trait]
pub(crate) trait Probe: Send + Sync {
    async fn ready(&self) -> Result<(), StoreError>;
}

#[derive(Clone)]
pub(crate) struct Admin {
    pub(crate) status: Arc<Status>,
    pub(crate) probe: Arc<dyn Probe>,
    pub(crate) commits: Arc<CommitHealth>,
    /// Commits failing longer than this make the service unready (the group's session
    /// timeout: by then the group has moved on without this member)...
    pub(crate) unready_after: Duration,
    /// ...and longer than this make it unhealthy, so that an orchestrator restarts it.
    pub(crate) unhealthy_after: Duration,
    pub(crate) draining: Draining,
    /// Checks of other parts of the service (its publishers), for liveness.
    pub(crate) alive: Vec<Arc<dyn Fn() -> Result<(), String> + Send + Sync>>,
}

pub(crate) fn router(admin: Admin, service: Router, token: Option<Credentials>) -> Router {
    let name = admin.status.service();
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/stats", get(stats))
        .with_state(admin)
        .merge(service);
    let routes = orders_http::auth::protect(routes, token, Scheme::AdminToken);
    orders_http::observe(routes, name)
}

/// Alive, unless offset commits have been failing for long or a publisher is broken
/// for good: a restart is what brings such a member back.
async fn healthz(State(admin): State<Admin>) -> Result<Json<ProbeStatus>, ApiError> {
    if let Some(failing) = admin
        .commits
        .failing_for()
        .filter(|f| *f > admin.unhealthy_after)
    {
        return Err(commits_failing(failing));
    }
    for check in &admin.alive {
        check().map_err(|e| ApiError::unavailable(e, 5))?;
    }
    Ok(Json(ProbeStatus::OK))
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

/// Ready when not shutting down, not retrying a failure, not refused by Kafka (wrong
/// credentials, certificates or transport), committing offsets, and the store answers.
async fn readyz(State(admin): State<Admin>) -> Result<Json<ProbeStatus>, ApiError> {
    if admin.draining.is_draining() {
        return Err(ApiError::unavailable("shutting down", 5));
    }
    if let Some(failure) = admin.status.failure() {
        return Err(ApiError::unavailable(format!("retrying: {failure}"), 2));
    }
    if let Some(refusal) = orders_kafka::diagnosis::refused() {
        return Err(ApiError::unavailable(
            format!("Kafka refuses this service: {refusal}"),
            2,
        ));
    }
    if let Some(failing) = admin
        .commits
        .failing_for()
        .filter(|f| *f > admin.unready_after)
    {
        return Err(commits_failing(failing));
    }
    admin.probe.ready().await.map_err(store_error)?;
    Ok(Json(ProbeStatus::READY))
}

async fn stats(State(admin): State<Admin>) -> Json<Stats> {
    Json(admin.status.counters())
}

/// `?correlationId=ID`: how an admin endpoint takes an order's id when any id must get
/// through, `.` and `..` included (which no URL can carry as a path segment).
#[derive(Debug, serde::Deserialize)]
pub struct OrderQuery {
    #[serde(rename = "correlationId")]
    pub correlation_id: String,
}

impl OrderQuery {
    /// The id, or a 400 that says how to give it.
    pub fn id(
        query: Result<axum::extract::Query<Self>, axum::extract::rejection::QueryRejection>,
    ) -> Result<String, ApiError> {
        query.map(|q| q.0.correlation_id).map_err(|e| {
            ApiError::bad_request(
                format!("give the order as ?correlationId=ID: {}", e.body_text()),
                Vec::new(),
            )
        })
    }
}

/// The answer for a store failure on an admin endpoint: 503 for one that may pass, 500
/// for one that will not. The driver's message is logged, not sent: it may name tables,
/// hosts or values that are none of the client's business.
pub fn store_error(error: StoreError) -> ApiError {
    tracing::warn!(%error, "the store failed an admin request");
    if error.is_retryable() {
        ApiError::unavailable("the database is unavailable; retry later", 2)
    } else {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "the database failed to answer; the service's log has the cause",
        )
    }
}
