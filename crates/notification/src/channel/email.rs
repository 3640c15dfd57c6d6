//! The email channel: a plain text and HTML message to the customer's address, through
//! an SMTP relay, with lettre (STARTTLS or TLS over rustls when the URL asks for it).
//!
//! `--smtp-url` takes lettre's connection URLs: `smtp://HOST:PORT` (plain, for a local
//! relay), `smtp://USER:PASSWORD@HOST:587?tls=required` (STARTTLS, the usual submission
//! port) or `smtps://USER:PASSWORD@HOST:465` (TLS from the start). The message's
//! `Message-ID` is made from the notification's id, the same on every attempt, so a
//! mailbox or relay that deduplicates by it drops the repeat sent after a crash.
//!
//! A 4xx SMTP reply, a timeout or a connection failure is worth another attempt; a 5xx
//! reply (unknown mailbox, relaying denied) is permanent.

use super::{Attempt, Channel, ConfigError, SendError};
use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use orders_core::api::NotificationChannel;
use std::time::Duration;

/// Where and as whom to send; plain data, filled by the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    pub smtp_url: String,
    /// `Orders <orders@example.com>` or a bare address.
    pub from: String,
}

#[derive(Debug, Clone)]
pub struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The relay as records show it (no credentials).
    relay: String,
}

impl Email {
    /// An SMTP client whose commands give up after `timeout`.
    pub fn new(config: &EmailConfig, timeout: Duration) -> Result<Self, ConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| ConfigError::SmtpUrl(e.to_string()))?
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| ConfigError::MailFrom {
                from: config.from.clone(),
                reason: e.to_string(),
            })?;
        let relay = config
            .smtp_url
            .rsplit_once('@')
            .map_or(config.smtp_url.as_str(), |(_, host)| host)
            .to_owned();
        Ok(Self {
            transport,
            from,
            relay,
        })
    }

    pub fn relay(&self) -> &str {
        &self.relay
    }
}

/// Whether `address` is one the email channel can send to.
pub fn valid_address(address: &str) -> Result<(), String> {
    address
        .parse::<lettre::Address>()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[async_trait]
impl Channel for Email {
    fn kind(&self) -> NotificationChannel {
        NotificationChannel::Email
    }

    async fn send(&self, attempt: Attempt<'_>) -> Result<(), SendError> {
        let message = attempt.message;
        let to: Mailbox = attempt.recipient.unwrap_or_default().parse().map_err(
            |e: lettre::address::AddressError| {
                SendError::permanent(format!("invalid email address: {e}"))
            },
        )?;
        let mail = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject())
            .message_id(Some(format!("<{}@orders.notification>", message.id)))
            .multipart(MultiPart::alternative_plain_html(
                message.text(),
                message.html(),
            ))
            .map_err(|e| SendError::permanent(format!("cannot build the email: {e}")))?;
        match self.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!(
                "the SMTP relay {} refused the email: {e}",
                self.relay
            ))),
            Err(e) => Err(SendError::retryable(format!(
                "the SMTP relay {} did not take the email: {e}",
                self.relay
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The transport's connection pool starts a task: it needs a runtime.
    #[tokio::test]
    async fn urls_and_senders_are_checked_when_the_channel_is_set_up() {
        let ok = EmailConfig {
            smtp_url: "smtp://127.0.0.1:2525".into(),
            from: "Orders <orders@example.com>".into(),
        };
        let email = Email::new(&ok, Duration::from_secs(1)).unwrap();
        assert_eq!(email.relay(), "smtp://127.0.0.1:2525");
        let secret = EmailConfig {
            smtp_url: "smtps://me:pw@mail.example.com:465".into(),
            ..ok.clone()
        };
        assert_eq!(
            Email::new(&secret, Duration::from_secs(1)).unwrap().relay(),
            "mail.example.com:465"
        );
        let bad_url = EmailConfig {
            smtp_url: "http://x".into(),
            ..ok.clone()
        };
        assert!(Email::new(&bad_url, Duration::from_secs(1)).is_err());
        let bad_from = EmailConfig {
            from: "nobody".into(),
            ..ok
        };
        assert!(Email::new(&bad_from, Duration::from_secs(1)).is_err());
        assert!(valid_address("a@example.com").is_ok());
        assert!(valid_address("not an address").is_err());
    }
}
