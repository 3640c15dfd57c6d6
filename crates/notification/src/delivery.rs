//! The delivery worker: sends what the consumer recorded, beside it, never in its way.
//!
//! The consumer's batch only records notifications (one row per order, outcome and
//! channel) and commits its offsets; this worker claims due ones from the store and sends
//! them, at most [`DeliverySettings::concurrency`] at once, each attempt bounded by
//! [`DeliverySettings::attempt_timeout`]. A slow or dead receiver therefore holds a few
//! delivery slots, never the consumer group: the member keeps polling, its session and
//! its partitions. Split as "deliver one" ([`deliver`]) and "loop around it"
//! ([`Worker::run`]).
//!
//! A failed attempt that may pass is tried again after a capped exponential backoff with
//! jitter (not before the receiver's `Retry-After`); after [`DeliverySettings::max_attempts`],
//! or at once for a permanent refusal, the notification is failed and its dead letter is
//! written to the outbox in the same transaction (published to `notification-dlt` by the
//! runtime's relay, exactly once).
//!
//! A claim is a lease: if the process dies mid-attempt (SIGKILL between sending and
//! recording), the claim lapses and the notification is sent again, by this instance after
//! its restart or by another one. That repeat carries the same id (`Idempotency-Key`,
//! `Message-ID`), so the receiver can drop it. At shutdown, what is in flight gets a
//! grace period to finish; what does not is released, due at once for the next start.

use crate::channel::{Attempt, Channel, SendError};
use crate::message::{Message, Outcome};
use orders_core::api::NotificationChannel;
use orders_core::{CorrelationId, OutgoingEvent};
use orders_kafka::ReceivedRecord;
use orders_kafka::topics::{EVENT_ID_HEADER, EVENT_TYPE_HEADER};
use orders_runtime::Backoff;
use orders_store::notifications::{Claimed, NotificationStore};
use rand::Rng;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// Headers a notification's dead letter carries besides the `dlt-*` ones: which
/// notification it was, so that a replay re-arms only that channel.
pub const NOTIFICATION_ID_HEADER: &str = "notification-id";
pub const NOTIFICATION_CHANNEL_HEADER: &str = "notification-channel";

/// How deliveries are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySettings {
    /// Attempts in flight at once, over every channel.
    pub concurrency: usize,
    /// Longest one attempt may take before it counts as failed (and may be retried).
    pub attempt_timeout: Duration,
    /// Attempts before a notification is failed and dead-lettered.
    pub max_attempts: u32,
    /// Between attempts: doubling from `initial` up to `max`, then jittered.
    pub backoff: Backoff,
    /// The longest `Retry-After` honoured; a receiver asking for more gets this.
    pub max_retry_after: Duration,
    /// How often the worker looks for due notifications when nothing woke it.
    pub poll: Duration,
    /// How long what is in flight may take to finish at shutdown.
    pub shutdown_grace: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            concurrency: 16,
            attempt_timeout: Duration::from_secs(10),
            max_attempts: 8,
            backoff: Backoff {
                initial: Duration::from_secs(1),
                max: Duration::from_secs(300),
            },
            max_retry_after: Duration::from_secs(3_600),
            poll: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

impl DeliverySettings {
    /// How long a claim lasts: past the attempt and the recording of its outcome, so that
    /// a live worker never loses a claim to another.
    pub fn lease(&self) -> Duration {
        self.attempt_timeout * 2 + Duration::from_secs(5)
    }

    /// The wait before attempt `next` (2 or more): the capped exponential delay, half of
    /// it fixed and half random ("equal jitter", so that notifications failing together
    /// do not come back together), and never less than what the receiver asked for.
    pub fn delay(&self, next: u32, retry_after: Option<Duration>) -> Duration {
        let capped = self.backoff.delay(next.saturating_sub(1).max(1));
        let half = capped / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
        let delay = half + Duration::from_millis(jitter);
        match retry_after {
            Some(asked) => delay.max(asked.min(self.max_retry_after)),
            None => delay,
        }
    }
}

/// The configured channels, by kind.
pub type Channels = BTreeMap<NotificationChannel, Arc<dyn Channel>>;

/// What every delivery needs.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) store: NotificationStore,
    pub(crate) channels: Channels,
    pub(crate) settings: DeliverySettings,
    /// The dead-letter topic, and the group named in its headers.
    pub(crate) dead_letters: Option<(String, String)>,
    /// Who holds the claims of this process.
    pub(crate) owner: String,
}

/// How one attempt ended, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    Sent,
    Again { error: String, after: Duration },
    Failed { reason: &'static str, error: String },
}

/// Sends one claimed notification and records how it went.
pub(crate) async fn deliver(context: Arc<Context>, claimed: Claimed) {
    let channel_name = claimed.channel.as_str();
    let started = Instant::now();
    let ending = attempt(&context, &claimed).await;
    metrics::histogram!("orders_notification_attempt_duration_seconds", "channel" => channel_name)
        .record(started.elapsed().as_secs_f64());
    let outcome = match &ending {
        Ending::Sent => "sent",
        Ending::Again { .. } => "retry",
        Ending::Failed { .. } => "failed",
    };
    metrics::counter!("orders_notification_attempts_total", "channel" => channel_name, "outcome" => outcome)
        .increment(1);
    let store = &context.store;
    let owner = context.owner.as_str();
    let id = claimed.id.as_str();
    let recorded = match &ending {
        Ending::Sent => {
            tracing::info!(
                notification_id = id,
                correlation_id = %claimed.correlation_id,
                channel = channel_name,
                attempts = claimed.attempts,
                "notification sent"
            );
            persist(|| store.sent(id, owner)).await
        }
        Ending::Again { error, after } => {
            tracing::warn!(
                notification_id = id,
                correlation_id = %claimed.correlation_id,
                channel = channel_name,
                attempts = claimed.attempts,
                %error,
                retry_in_ms = after.as_millis() as u64,
                "notification attempt failed, will retry"
            );
            persist(|| store.retry_later(id, owner, error, *after)).await
        }
        Ending::Failed { reason, error } => {
            tracing::error!(
                notification_id = id,
                correlation_id = %claimed.correlation_id,
                channel = channel_name,
                attempts = claimed.attempts,
                reason,
                %error,
                "notification failed for good: dead-lettering it"
            );
            let dead = context
                .dead_letters
                .as_ref()
                .and_then(|(topic, group)| dead_letter(&claimed, topic, group, reason, error));
            persist(|| store.failed(id, owner, reason, error, dead.clone())).await
        }
    };
    match recorded {
        Some(true) => {}
        Some(false) => tracing::warn!(
            notification_id = id,
            "the claim lapsed before the outcome was recorded: another attempt owns it now"
        ),
        None => tracing::warn!(
            notification_id = id,
            "cannot record the outcome; the claim lapses and the notification is tried again \
             (with the same idempotency key)"
        ),
    }
}

/// One attempt, bounded by the attempt timeout.
async fn attempt(context: &Context, claimed: &Claimed) -> Ending {
    let settings = &context.settings;
    let Some(outcome) = Outcome::parse(&claimed.outcome) else {
        return Ending::Failed {
            reason: "unreadable",
            error: format!("unknown outcome `{}`", claimed.outcome),
        };
    };
    let message = match Message::read(&claimed.id, outcome, &claimed.event) {
        Ok(message) => message,
        Err(e) => {
            return Ending::Failed {
                reason: "unreadable",
                error: e.to_string(),
            };
        }
    };
    let Some(channel) = context.channels.get(&claimed.channel) else {
        // Claims are only made for configured channels; this is a bug, not the receiver.
        return Ending::Again {
            error: format!("the {} channel is not configured here", claimed.channel),
            after: settings.backoff.max,
        };
    };
    let attempt = Attempt {
        message: &message,
        recipient: claimed.recipient.as_deref(),
        number: claimed.attempts,
    };
    let result = match tokio::time::timeout(settings.attempt_timeout, channel.send(attempt)).await {
        Ok(result) => result,
        Err(_) => Err(SendError::retryable(format!(
            "no answer within {} ms",
            settings.attempt_timeout.as_millis()
        ))),
    };
    match result {
        Ok(()) => Ending::Sent,
        Err(SendError::Permanent { message }) => Ending::Failed {
            reason: "delivery_refused",
            error: message,
        },
        Err(SendError::Retryable { message, .. }) if claimed.attempts >= settings.max_attempts => {
            Ending::Failed {
                reason: "retries_exhausted",
                error: format!("{message} (after {} attempts)", claimed.attempts),
            }
        }
        Err(SendError::Retryable {
            message,
            retry_after,
        }) => Ending::Again {
            error: message,
            after: settings.delay(claimed.attempts + 1, retry_after),
        },
    }
}

/// Runs a store write until it succeeds, a few times with a short backoff: `None` when
/// it keeps failing (the claim then lapses and the attempt is made again).
async fn persist<F, Fut>(mut write: F) -> Option<bool>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, orders_core::StoreError>>,
{
    let backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_secs(2),
    };
    for attempt in 1..=6 {
        match write().await {
            Ok(done) => return Some(done),
            Err(error) if error.is_retryable() => {
                tracing::warn!(%error, attempt, "recording a delivery failed, will retry");
                tokio::time::sleep(backoff.delay(attempt)).await;
            }
            Err(error) => {
                tracing::error!(%error, "recording a delivery failed");
                return None;
            }
        }
    }
    None
}

/// The dead letter of a failed notification: its source record in the standard format
/// (`orders_kafka::dead_letter`), with which notification it was. The source's
/// `event-id` and `event-type` are left out: the relay that publishes it adds its own.
fn dead_letter(
    claimed: &Claimed,
    topic: &str,
    group: &str,
    reason: &str,
    error: &str,
) -> Option<OutgoingEvent> {
    let outcome = Outcome::parse(&claimed.outcome)?;
    let key = CorrelationId::parse(&claimed.correlation_id).ok()?;
    let mut headers: Vec<(String, Vec<u8>)> = claimed
        .source
        .headers
        .iter()
        .filter(|(k, _)| k != EVENT_ID_HEADER && k != EVENT_TYPE_HEADER)
        .cloned()
        .collect();
    headers.push((
        NOTIFICATION_ID_HEADER.to_owned(),
        claimed.id.clone().into_bytes(),
    ));
    headers.push((
        NOTIFICATION_CHANNEL_HEADER.to_owned(),
        claimed.channel.as_str().as_bytes().to_vec(),
    ));
    let source = ReceivedRecord {
        topic: claimed.source.topic.clone(),
        partition: claimed.source.partition,
        offset: claimed.source.offset,
        timestamp_ms: claimed.source.timestamp_ms,
        key: claimed.source.key.clone(),
        value: Some(claimed.event.clone()),
        headers,
        header_error: None,
    };
    let record = orders_kafka::dead_letter::dead_letter(&source, topic, group, reason, error);
    Some(OutgoingEvent {
        event_id: uuid::Uuid::new_v4(),
        kind: outcome.kind(),
        topic: record.topic,
        key,
        value: record.value.unwrap_or_default(),
        headers: record.headers,
    })
}

/// The loop around [`deliver`].
#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) context: Arc<Context>,
    /// Woken when the consumer recorded notifications.
    pub(crate) wake: Arc<Notify>,
}

impl Worker {
    /// Delivers until `shutdown` completes; then gives what is in flight the grace
    /// period and releases the claims of what did not finish.
    pub(crate) async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let context = self.context;
        let settings = context.settings;
        let kinds: Vec<NotificationChannel> = context.channels.keys().copied().collect();
        let mut shutdown = std::pin::pin!(shutdown);
        let mut in_flight = JoinSet::new();
        let mut failures = 0u32;
        tracing::info!(
            channels = %kinds.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
            concurrency = settings.concurrency,
            "delivering notifications"
        );
        loop {
            let free = settings.concurrency.saturating_sub(in_flight.len());
            let mut wait = settings.poll;
            if free > 0 {
                match context
                    .store
                    .claim(&context.owner, settings.lease(), &kinds, free)
                    .await
                {
                    Ok(claimed) => {
                        failures = 0;
                        for claimed in claimed {
                            in_flight.spawn(deliver(context.clone(), claimed));
                        }
                    }
                    Err(error) => {
                        failures += 1;
                        wait = settings.backoff.delay(failures).min(Duration::from_secs(5));
                        tracing::warn!(%error, retry_in_ms = wait.as_millis() as u64, "claiming notifications failed");
                    }
                }
            }
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        let unfinished = in_flight.len();
        if unfinished > 0 {
            let drained = tokio::time::timeout(settings.shutdown_grace, async {
                while in_flight.join_next().await.is_some() {}
            })
            .await;
            if drained.is_err() {
                tracing::info!(
                    in_flight = in_flight.len(),
                    "deliveries still in flight at shutdown: released, sent after the restart"
                );
                in_flight.abort_all();
                while in_flight.join_next().await.is_some() {}
            }
        }
        match tokio::time::timeout(
            Duration::from_secs(2),
            context.store.release(&context.owner),
        )
        .await
        {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "releasing claims failed; they lapse by themselves")
            }
            Err(_) => tracing::warn!("releasing claims timed out; they lapse by themselves"),
        }
        tracing::info!("delivery stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_to_their_cap_with_half_of_each_random() {
        let settings = DeliverySettings {
            backoff: Backoff {
                initial: Duration::from_millis(100),
                max: Duration::from_secs(1),
            },
            ..DeliverySettings::default()
        };
        for _ in 0..50 {
            let second = settings.delay(2, None);
            assert!((50..=100).contains(&second.as_millis()), "{second:?}");
            let late = settings.delay(30, None);
            assert!((500..=1_000).contains(&late.as_millis()), "{late:?}");
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let settings = DeliverySettings {
            max_retry_after: Duration::from_secs(60),
            ..DeliverySettings::default()
        };
        assert!(settings.delay(2, Some(Duration::from_secs(30))) >= Duration::from_secs(30));
        assert!(settings.delay(2, Some(Duration::from_secs(86_400))) <= Duration::from_secs(60));
    }

    #[test]
    fn a_dead_letter_is_the_source_record_with_why_and_which_notification() {
        let claimed = Claimed {
            id: "n-1".into(),
            correlation_id: "c-1".into(),
            outcome: "confirmed".into(),
            channel: NotificationChannel::Webhook,
            customer_id: "x".into(),
            recipient: None,
            attempts: 8,
            event: b"{}".to_vec(),
            source: orders_store::notifications::SourceRecord {
                topic: "order_confirmed".into(),
                partition: 2,
                offset: 9,
                timestamp_ms: Some(1),
                key: Some(b"c-1".to_vec()),
                headers: vec![
                    ("traceparent".into(), b"00-1".to_vec()),
                    (EVENT_ID_HEADER.into(), b"e-1".to_vec()),
                ],
            },
        };
        let dead = dead_letter(
            &claimed,
            "notification-dlt",
            "g",
            "retries_exhausted",
            "500",
        )
        .unwrap();
        assert_eq!(dead.topic, "notification-dlt");
        assert_eq!(dead.value, b"{}");
        let header = |k: &str| {
            dead.headers
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(header("traceparent").as_deref(), Some("00-1"));
        assert_eq!(header(EVENT_ID_HEADER), None);
        assert_eq!(
            header(NOTIFICATION_CHANNEL_HEADER).as_deref(),
            Some("webhook")
        );
        assert_eq!(header("dlt-original-offset").as_deref(), Some("9"));
        assert_eq!(
            header("dlt-error-kind").as_deref(),
            Some("retries_exhausted")
        );
    }
}
