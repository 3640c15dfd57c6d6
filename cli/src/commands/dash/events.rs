//! The events pane's feed: the watched topics read from their end without a consumer
//! group (the one place the dashboard uses `TopicReader`), each record turned into the
//! line `orders tail` prints for it.
//!
//! A topic that cannot be opened yet (the broker is down, the topic not created) is
//! tried again every few seconds; the dashboard never waits for it.

use super::view::Event;
use crate::commands::tail;
use orders_kafka::reader::{StartFrom, TopicReader};
use orders_kafka::{KafkaConfig, ReceivedRecord};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const RETRY: Duration = Duration::from_secs(3);

/// Reads every topic of `topics` until `stop`, sending each record as an [`Event`]. The
/// channel is bounded: when the screen falls behind a burst, events are dropped rather
/// than queued, since only the newest are shown.
pub(crate) fn follow(
    kafka: &KafkaConfig,
    topics: &[String],
    timeout: Duration,
    stop: CancellationToken,
) -> mpsc::Receiver<Event> {
    let (sender, receiver) = mpsc::channel(1_024);
    let kafka = kafka.with_client_id("orders-dash");
    for topic in topics {
        let (kafka, topic, sender, stop) =
            (kafka.clone(), topic.clone(), sender.clone(), stop.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = read(&kafka, &topic, timeout, &sender) => {}
            }
        });
    }
    receiver
}

async fn read(kafka: &KafkaConfig, topic: &str, timeout: Duration, sender: &mpsc::Sender<Event>) {
    loop {
        let reader = match TopicReader::follow(kafka, topic, StartFrom::End, timeout).await {
            Ok(reader) => reader,
            Err(error) => {
                tracing::debug!(%error, topic, "cannot read the topic yet");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        loop {
            match reader.recv().await {
                Ok(record) => {
                    if sender.is_closed() {
                        return;
                    }
                    let _ = sender.try_send(event(&record));
                }
                Err(error) => {
                    tracing::debug!(%error, topic, "reading the topic");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}

/// The record as `orders tail --all` prints it (a saga event names its type, an order
/// its customer and items), and the correlation id it carries, for the filter and for
/// `orders trace`.
pub(crate) fn event(record: &ReceivedRecord) -> Event {
    let line = tail::event_line(record);
    let correlation_id = record
        .key
        .as_deref()
        .and_then(|k| std::str::from_utf8(k).ok())
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            let value: Value = serde_json::from_slice(record.value.as_deref()?).ok()?;
            Some(value.get("correlationId")?.as_str()?.to_owned())
        });
    Event {
        correlation_id,
        line,
    }
}
