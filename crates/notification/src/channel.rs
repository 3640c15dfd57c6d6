//! The channels a notification goes out on, behind one port: [`Channel::send`] delivers
//! one message and says whether a failure is worth another attempt.
//!
//! Every channel gets the notification's id with every attempt and passes it on (the
//! webhook's `Idempotency-Key`, the email's `Message-ID`), so that the attempt repeated
//! after a crash between sending and recording is one the receiver can recognise.

pub mod email;
pub mod log;
pub mod webhook;

use crate::message::Message;
use async_trait::async_trait;
use orders_core::api::NotificationChannel;
use std::time::Duration;

/// One attempt to deliver a notification.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub message: &'a Message,
    /// The address or URL (`None` for the log).
    pub recipient: Option<&'a str>,
    /// 1 for the first attempt.
    pub number: u32,
}

/// Why an attempt did not deliver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// It may work later (connection refused, timeout, 5xx, 429, a 4xx SMTP reply): try
    /// again, not before `retry_after` when the receiver said so.
    #[error("{message}")]
    Retryable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// It never will (a 4xx other than 408 and 429, a 5xx SMTP reply, a bad address).
    #[error("{message}")]
    Permanent { message: String },
}

impl SendError {
    pub fn retryable(message: impl Into<String>) -> Self {
        Self::Retryable {
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self::Permanent {
            message: message.into(),
        }
    }
}

/// A way to tell a customer.
#[async_trait]
pub trait Channel: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> NotificationChannel;

    /// Delivers one attempt. The caller bounds it with the attempt timeout.
    async fn send(&self, attempt: Attempt<'_>) -> Result<(), SendError>;
}

/// Why a channel could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid webhook URL {url:?}: {reason}")]
    WebhookUrl { url: String, reason: String },
    #[error(
        "invalid SMTP URL: {0} (expected smtp://HOST:PORT, smtp://HOST:PORT?tls=required or smtps://USER:PASSWORD@HOST:465)"
    )]
    SmtpUrl(String),
    #[error("invalid --mail-from {from:?}: {reason}")]
    MailFrom { from: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}
