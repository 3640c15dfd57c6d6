//! One error type for every HTTP answer that is not a success.
//!
//! The body is always [`ErrorBody`], `{"error": "...", "details": [{"path", "message"}]}`,
//! so a client can handle every failure the same way. 4xx are the client's fault and are not
//! logged above debug; 5xx are ours and are logged with their cause.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orders_core::Violation;
use orders_core::api::ErrorBody;

/// An HTTP error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub details: Vec<Violation>,
    /// Seconds after which a retry may succeed (`Retry-After`), for 503s.
    pub retry_after: Option<u32>,
    /// Extra fields of the body (the correlationId a client should retry with).
    pub correlation_id: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            details: Vec::new(),
            retry_after: None,
            correlation_id: None,
        }
    }

    pub fn bad_request(error: impl Into<String>, details: Vec<Violation>) -> Self {
        Self {
            details,
            ..Self::new(StatusCode::BAD_REQUEST, error)
        }
    }

    pub fn not_found(error: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, error)
    }

    /// 503: try again later, after `retry_after` seconds.
    pub fn unavailable(error: impl Into<String>, retry_after: u32) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, error)
        }
    }

    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let correlation_id = self.correlation_id.as_deref().unwrap_or("");
        if self.status.is_server_error() {
            tracing::warn!(status = self.status.as_u16(), correlation_id, error = %self.error, "request failed");
        } else {
            tracing::debug!(status = self.status.as_u16(), correlation_id, error = %self.error, "request rejected");
        }
        let id_header = self
            .correlation_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok());
        let body = ErrorBody {
            error: self.error,
            details: self.details,
            correlation_id: self.correlation_id,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(id) = id_header {
            response.headers_mut().insert(CORRELATION_ID, id);
        }
        response
    }
}

/// The header that carries an order's correlation id, in requests and answers.
pub const CORRELATION_ID: HeaderName = HeaderName::from_static("x-correlation-id");
