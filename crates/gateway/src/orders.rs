//! `POST /orders`: the one way orders enter the pipeline.
//!
//! Checks run cheapest first and nothing is published unless all pass: the content type
//! (415), the correlation id header (400), the body size (413), the JSON syntax (400),
//! then every field at once (400).

use crate::Gateway;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orders_core::api::Accepted;
use orders_core::{CorrelationId, OrderRequest, PublishError, Violation};
use orders_http::{ApiError, CORRELATION_ID};

pub(crate) async fn submit(
    State(gateway): State<Gateway>,
    request: Request,
) -> Result<Response, ApiError> {
    require_json(request.headers())?;
    let correlation_id = correlation_id(request.headers())?;
    tracing::Span::current().record("correlation_id", correlation_id.as_str());
    let body = Bytes::from_request(request, &())
        .await
        .map_err(|r| body_rejection(r, gateway.max_body_bytes))?;
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            format!("the body is not valid JSON: {e}"),
            vec![Violation::new("", e.to_string())],
        )
    })?;
    let order = OrderRequest::from_json(&json)
        .map_err(|v| ApiError::bad_request("the order is invalid", v.into_vec()))?;

    let submitted = gateway
        .submit
        .execute(correlation_id.clone(), order)
        .await
        .map_err(|e| publish_failed(&e).with_correlation_id(correlation_id.as_str()))?;
    tracing::debug!(
        partition = submitted.published.partition,
        offset = submitted.published.offset,
        "order accepted"
    );

    let body = Accepted {
        correlation_id: submitted.event.correlation_id.clone(),
        event: submitted.event,
        partition: submitted.published.partition,
        offset: submitted.published.offset,
    };
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(correlation_id.as_str()) {
        response.headers_mut().insert(CORRELATION_ID, value);
    }
    Ok(response)
}

/// `application/json` or any `application/*+json`, with or without parameters.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let essence = content_type
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if is_json {
        return Ok(());
    }
    let found = content_type.map_or_else(|| "none".to_owned(), |v| format!("{v:?}"));
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("Content-Type must be application/json, found {found}"),
    ))
}

/// The client's `x-correlation-id`, or a new UUID v4 when it sent none. One it sent but
/// that is unusable is refused rather than replaced: the client relies on it to retry
/// without creating the order twice.
fn correlation_id(headers: &HeaderMap) -> Result<CorrelationId, ApiError> {
    let Some(value) = headers.get(CORRELATION_ID) else {
        return Ok(CorrelationId::new_v4());
    };
    let parsed = value
        .to_str()
        .map_err(|_| "correlation id must contain only visible ASCII characters (no spaces)")
        .and_then(|s| CorrelationId::parse(s).map_err(|e| e.0));
    parsed.map_err(|message| {
        ApiError::bad_request(
            format!("the x-correlation-id header is invalid: it {message}"),
            vec![Violation::new("x-correlation-id", message)],
        )
    })
}

fn body_rejection(rejection: BytesRejection, limit: usize) -> ApiError {
    match rejection {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than the limit of {limit} bytes"),
            )
        }
        other => ApiError::bad_request(format!("the body could not be read: {other}"), Vec::new()),
    }
}

/// Every publish failure means "not acknowledged": the client should retry, with the
/// same correlation id so that a late acknowledgement cannot make a second order.
fn publish_failed(error: &PublishError) -> ApiError {
    let retry_after = match error {
        PublishError::Backpressure => 1,
        PublishError::Timeout | PublishError::Broker(_) => 2,
        // Cannot happen for a body within the size limit; if it does, it is ours.
        PublishError::Refused(_) => {
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the order was not accepted: {error}"),
            );
        }
    };
    ApiError::unavailable(
        format!("the order was not accepted, retry with the same x-correlation-id: {error}"),
        retry_after,
    )
}
