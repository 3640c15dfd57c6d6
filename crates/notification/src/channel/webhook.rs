//! The webhook channel: a `POST` of the message's JSON to the operator's endpoint,
//! signed the way the common payment-provider webhooks are.
//!
//! Every request carries:
//! - `Idempotency-Key`: the notification's id, the same on every attempt, so that a
//!   receiver drops repeats (a retry after a timeout it did answer, or the attempt
//!   repeated after the service crashed between sending and recording);
//! - `Orders-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` when a secret is set: the
//!   HMAC of `"<t>.<body>"` with the secret, so that a receiver can check that the body
//!   is ours and recent (see [`verify`] and `docs/operations.md`);
//! - `Orders-Event-Type` and `Orders-Delivery-Attempt`.
//!
//! 2xx is delivered. Connection failures, timeouts, 408, 429 and 5xx are worth another
//! attempt (after `Retry-After` when the receiver sends one); any other status is
//! permanent, redirects included (they are not followed: a webhook URL that moved is a
//! configuration to fix, not a hop to take with a signed body).

use super::{Attempt, Channel, ConfigError, SendError};
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use orders_core::api::NotificationChannel;
use reqwest::StatusCode;
use sha2::Sha256;
use std::time::Duration;

pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
pub const SIGNATURE: &str = "Orders-Signature";
pub const EVENT_TYPE: &str = "Orders-Event-Type";
pub const ATTEMPT: &str = "Orders-Delivery-Attempt";

/// How long a signature stays acceptable to [`verify`] by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Where and how to call the webhook; plain data, filled by the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub url: String,
    /// Signs every request when set.
    pub secret: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    http: reqwest::Client,
    url: reqwest::Url,
    secret: Option<Vec<u8>>,
}

impl Webhook {
    /// A webhook client whose requests give up after `timeout`.
    pub fn new(config: &WebhookConfig, timeout: Duration) -> Result<Self, ConfigError> {
        let url = reqwest::Url::parse(&config.url).map_err(|e| ConfigError::WebhookUrl {
            url: redact(&config.url),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::WebhookUrl {
                url: redact(&config.url),
                reason: "the scheme must be http or https".into(),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("orders-notification/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(Self {
            http,
            url,
            secret: config
                .secret
                .as_ref()
                .filter(|s| !s.is_empty())
                .map(|s| s.as_bytes().to_vec()),
        })
    }

    /// The URL as records and logs show it: without credentials or query, which may
    /// hold secrets.
    pub fn shown_url(&self) -> String {
        let mut url = self.url.clone();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.set_query(None);
        url.set_fragment(None);
        url.to_string()
    }
}

fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((_, rest)) => format!("…@{rest}"),
        None => url.to_owned(),
    }
}

/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Why a signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is not t=<timestamp>,v1=<hex>")]
    Malformed,
    #[error("the signature was made {0} s away from now, more than the tolerance")]
    Stale(i64),
    #[error("no v1 signature matches the body")]
    Mismatch,
}

/// What a receiver does with a request: checks that `header` (the `Orders-Signature`
/// value) signs `body` with `secret`, within `tolerance` of `now` (unix seconds).
/// Several `v1=` entries may be given (during a secret rotation); one must match.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(hex::decode(v).map_err(|_| VerifyError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    if signatures.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let age = now - timestamp;
    if age.unsigned_abs() > tolerance.as_secs() {
        return Err(VerifyError::Stale(age));
    }
    for signature in signatures {
        let Ok(mut expected) = Hmac::<Sha256>::new_from_slice(secret) else {
            return Err(VerifyError::Mismatch);
        };
        expected.update(timestamp.to_string().as_bytes());
        expected.update(b".");
        expected.update(body);
        // Constant time: a receiver must not leak how much of a guess was right.
        if expected.verify_slice(&signature).is_ok() {
            return Ok(());
        }
    }
    Err(VerifyError::Mismatch)
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or_default(),
    )
}

/// What a status means for the attempt.
fn classify(status: StatusCode, retry: Option<Duration>, detail: &str) -> Result<(), SendError> {
    if status.is_success() {
        return Ok(());
    }
    let message = if detail.is_empty() {
        format!("the webhook answered {status}")
    } else {
        format!("the webhook answered {status}: {detail}")
    };
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Err(SendError::Retryable {
            message,
            retry_after: retry,
        })
    } else {
        Err(SendError::permanent(message))
    }
}

/// The first line of a body, short enough for a record.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next().unwrap_or_default().trim();
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

fn cause(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "the webhook did not answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect to the webhook".to_owned()
    } else {
        "the webhook request failed".to_owned()
    };
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(last) = last {
        text.push_str(": ");
        text.push_str(&last);
    }
    text
}

#[async_trait]
impl Channel for Webhook {
    fn kind(&self) -> NotificationChannel {
        NotificationChannel::Webhook
    }

    async fn send(&self, attempt: Attempt<'_>) -> Result<(), SendError> {
        let body = attempt.message.to_json();
        let mut request = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_KEY, &attempt.message.id)
            .header(EVENT_TYPE, attempt.message.event_type)
            .header(ATTEMPT, attempt.number.to_string());
        if let Some(secret) = &self.secret {
            let now = chrono::Utc::now().timestamp();
            request = request.header(SIGNATURE, signature(secret, now, &body));
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::retryable(cause(&e)))?;
        let status = response.status();
        let retry = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, chrono::Utc::now()));
        let detail = if status.is_success() {
            String::new()
        } else {
            response
                .bytes()
                .await
                .map(|b| snippet(&b))
                .unwrap_or_default()
        };
        classify(status, retry, &detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_secret_and_body_only() {
        let body = br#"{"id":"n-1"}"#;
        let header = signature(b"whsec", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="), "{header}");
        let now = 1_700_000_010;
        assert_eq!(
            verify(b"whsec", &header, body, now, DEFAULT_TOLERANCE),
            Ok(())
        );
        assert_eq!(
            verify(b"other", &header, body, now, DEFAULT_TOLERANCE),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(
                b"whsec",
                &header,
                br#"{"id":"n-2"}"#,
                now,
                DEFAULT_TOLERANCE
            ),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"whsec", &header, body, now + 3_600, DEFAULT_TOLERANCE),
            Err(VerifyError::Stale(3_610))
        );
        assert_eq!(
            verify(b"whsec", "v1=00", body, now, DEFAULT_TOLERANCE),
            Err(VerifyError::Malformed)
        );
        let rotated = format!("{header},v1={}", hex::encode([0u8; 32]));
        assert_eq!(
            verify(b"whsec", &rotated, body, now, DEFAULT_TOLERANCE),
            Ok(())
        );
    }

    #[test]
    fn server_errors_429_and_408_are_retried_other_client_errors_are_not() {
        let retry = Some(Duration::from_secs(7));
        assert_eq!(classify(StatusCode::NO_CONTENT, None, ""), Ok(()));
        for status in [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::REQUEST_TIMEOUT,
        ] {
            assert!(
                matches!(classify(status, retry, "x"), Err(SendError::Retryable { retry_after, .. }) if retry_after == retry),
                "{status}"
            );
        }
        for status in [
            StatusCode::BAD_REQUEST,
            StatusCode::UNAUTHORIZED,
            StatusCode::NOT_FOUND,
            StatusCode::GONE,
            StatusCode::MOVED_PERMANENTLY,
        ] {
            assert!(
                matches!(classify(status, None, ""), Err(SendError::Permanent { .. })),
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2025-12-05T21:15:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Fri, 05 Dec 2025 21:15:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Fri, 05 Dec 2025 21:14:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn shown_urls_lose_credentials_and_queries() {
        let webhook = Webhook::new(
            &WebhookConfig {
                url: "https://user:pw@hooks.example.com/orders?token=secret".into(),
                secret: None,
            },
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(webhook.shown_url(), "https://hooks.example.com/orders");
        assert!(
            Webhook::new(
                &WebhookConfig {
                    url: "ftp://x".into(),
                    secret: None
                },
                Duration::from_secs(1)
            )
            .is_err()
        );
    }
}
