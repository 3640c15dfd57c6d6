//! The gateway's HTTP surface, in process (`router` with `oneshot`), against a publisher
//! that only records what it was asked to publish: the served OpenAPI document against
//! the router and the real answers, and property tests that throw arbitrary input at
//! `POST /orders`. One binary, one module per area.

// A test binary has no public API for `unreachable_pub` to protect.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod fuzz;
mod openapi;

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use orders_core::{OrderCreated, OrderPublisher, PublishError, Published};
use orders_gateway::{Gateway, GatewayConfig};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Records every event it is asked to publish, and acknowledges it unless told to fail.
#[derive(Debug, Default)]
pub struct RecordingPublisher {
    published: Mutex<Vec<OrderCreated>>,
    failure: Option<PublishError>,
    /// How long the "broker" takes to acknowledge.
    delay: Option<std::time::Duration>,
}

impl RecordingPublisher {
    pub fn failing(failure: PublishError) -> Self {
        Self {
            failure: Some(failure),
            ..Self::default()
        }
    }

    pub fn slow(delay: std::time::Duration) -> Self {
        Self {
            delay: Some(delay),
            ..Self::default()
        }
    }

    pub fn published(&self) -> Vec<OrderCreated> {
        self.published.lock().unwrap().clone()
    }
}

#[async_trait]
impl OrderPublisher for RecordingPublisher {
    async fn publish(&self, event: &OrderCreated) -> Result<Published, PublishError> {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        let mut published = self.published.lock().unwrap();
        published.push(event.clone());
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        Ok(Published {
            partition: 0,
            offset: published.len() as i64 - 1,
        })
    }

    async fn ready(&self) -> Result<(), PublishError> {
        self.failure.clone().map_or(Ok(()), Err)
    }
}

/// The gateway's router over `publisher`.
pub fn app(publisher: Arc<RecordingPublisher>, config: &GatewayConfig) -> Router {
    orders_gateway::router(Gateway::new(publisher), config)
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} answered a body that is not JSON ({e}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends one request through `app`.
pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// A request with no headers but those given.
pub fn request(
    method: Method,
    path: &str,
    headers: &[(&str, &[u8])],
    body: Vec<u8>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body)).unwrap()
}
