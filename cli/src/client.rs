//! HTTP clients of the two services, for the commands that drive them (`submit`,
//! `bench`, and the ones that look orders up on the order-service's admin port).

use anyhow::{Context, anyhow};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// The error body both services send: `{"error": "...", "details": [{path, message}]}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(default)]
    pub details: Vec<Detail>,
}

#[derive(Debug, Deserialize)]
pub struct Detail {
    pub path: String,
    pub message: String,
}

/// One line that says what a service answered: its status, its error and every detail.
pub fn describe_failure(service: &str, status: StatusCode, body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if parsed.details.is_empty() => {
            format!("{service} answered {status}: {}", parsed.error)
        }
        Ok(parsed) => {
            let details: Vec<String> = parsed
                .details
                .iter()
                .map(|d| {
                    if d.path.is_empty() {
                        d.message.clone()
                    } else {
                        format!("{} {}", d.path, d.message)
                    }
                })
                .collect();
            format!(
                "{service} answered {status}: {} ({})",
                parsed.error,
                details.join("; ")
            )
        }
        Err(_) => format!(
            "{service} answered {status}: {}",
            String::from_utf8_lossy(body).trim()
        ),
    }
}

pub fn http_client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    crate::security::client_builder(reqwest::Client::builder())?
        .timeout(timeout)
        .build()
        .context("cannot build the HTTP client")
}

/// What went wrong reaching a service, with a hint when nothing listens there.
pub fn unreachable(service: &str, url: &str, error: &reqwest::Error) -> anyhow::Error {
    let hint = if error.is_connect() {
        " (is it running? `orders up` starts the whole stack)"
    } else if error.is_timeout() {
        " (timed out)"
    } else {
        ""
    };
    anyhow!(
        "cannot reach the {service} at {url}: {}{hint}",
        root_cause(error)
    )
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// The order-service's admin API.
#[derive(Debug, Clone)]
pub struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Sends `request` and reads the whole answer.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<(StatusCode, bytes::Bytes)> {
        let failed = |e: reqwest::Error| unreachable("order-service", &self.base, &e);
        let request = crate::security::with_admin_token(request);
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        Ok((status, response.bytes().await.map_err(failed)?))
    }

    /// The order with this correlation id, `None` while the order-service has not
    /// persisted it.
    pub async fn order(&self, correlation_id: &str) -> anyhow::Result<Option<Value>> {
        let url = format!("{}/orders/{correlation_id}", self.base);
        let (status, body) = self.send(self.http.get(&url)).await?;
        match status {
            StatusCode::OK => Ok(Some(
                serde_json::from_slice(&body)
                    .context("the order-service sent an order that is not JSON")?,
            )),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(anyhow!(describe_failure(
                "the order-service",
                status,
                &body
            ))),
        }
    }

    /// Every stored row for these ids (see `POST /orders/lookup`).
    pub async fn lookup(&self, correlation_ids: &[String]) -> anyhow::Result<Vec<Value>> {
        let url = format!("{}/orders/lookup", self.base);
        let request = self
            .http
            .post(&url)
            .json(&serde_json::json!({ "correlationIds": correlation_ids }));
        let (status, body) = self.send(request).await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the order-service",
                status,
                &body
            )));
        }
        let mut parsed: Value =
            serde_json::from_slice(&body).context("the order-service's lookup is not JSON")?;
        match parsed.get_mut("orders").map(Value::take) {
            Some(Value::Array(orders)) => Ok(orders),
            _ => Err(anyhow!("the order-service's lookup has no orders array")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_one_line_with_every_detail() {
        let body = br#"{"error":"the order is invalid","details":[{"path":"/items/0/quantity","message":"must be greater than 0"},{"path":"/totalAmount","message":"is required"}]}"#;
        assert_eq!(
            describe_failure("the gateway", StatusCode::BAD_REQUEST, body),
            "the gateway answered 400 Bad Request: the order is invalid (/items/0/quantity must be \
             greater than 0; /totalAmount is required)"
        );
        assert_eq!(
            describe_failure("the gateway", StatusCode::BAD_GATEWAY, b"upstream down\n"),
            "the gateway answered 502 Bad Gateway: upstream down"
        );
    }
}
