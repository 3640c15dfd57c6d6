//! The dead-letter writer: records a service can never use go to its dead-letter topic
//! (in the format of [`orders_kafka::dead_letter`]), and only then is their offset stored.
//!
//! A broker that refuses the record itself for good (larger than the dead-letter topic
//! allows, say) gets it without its value and original headers, with a header that says
//! what was dropped: the record's place in its source topic is still named, so it can be
//! found there, and the group moves on.

use crate::handler::Rejection;
use orders_core::{PublishError, Published};
use orders_kafka::dead_letter::{dead_letter, headers};
use orders_kafka::{KafkaPublisher, ReceivedRecord, Record};

/// What became of a record sent to the dead-letter topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Written whole.
    Whole(Published),
    /// Written without its value and headers, which the broker refused.
    Reduced(Published),
}

/// Writes rejected records to the dead-letter topic.
#[derive(Debug, Clone)]
pub struct DeadLetters {
    publisher: KafkaPublisher,
    topic: String,
    group: String,
}

impl DeadLetters {
    pub fn new(
        publisher: KafkaPublisher,
        topic: impl Into<String>,
        group: impl Into<String>,
    ) -> Self {
        Self {
            publisher,
            topic: topic.into(),
            group: group.into(),
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Writes `record` with why it was rejected and waits for the acknowledgement. An
    /// error is one that may pass; a record the broker will never take is written
    /// reduced, and only if even that is refused is the refusal returned.
    pub async fn send(
        &self,
        record: &ReceivedRecord,
        rejection: &Rejection,
    ) -> Result<Written, PublishError> {
        let whole = dead_letter(
            record,
            &self.topic,
            &self.group,
            &rejection.kind,
            &rejection.message,
        );
        match self.publisher.publish_record(&whole).await {
            Ok(published) => Ok(Written::Whole(published)),
            Err(PublishError::Refused(reason)) => {
                let reduced = reduced(whole, record, &reason);
                self.publisher
                    .publish_record(&reduced)
                    .await
                    .map(Written::Reduced)
            }
            Err(error) => Err(error),
        }
    }
}

/// `whole` without the record's value and headers, saying what was dropped and why.
fn reduced(whole: Record, record: &ReceivedRecord, reason: &str) -> Record {
    let value_bytes = record.value.as_ref().map_or(0, Vec::len);
    let mut headers: Vec<_> = whole
        .headers
        .into_iter()
        .skip(record.headers.len())
        .collect();
    headers.push((
        headers::DROPPED.to_owned(),
        format!(
            "value ({value_bytes} bytes) and {} headers left out: {reason}",
            record.headers.len()
        )
        .into_bytes(),
    ));
    Record {
        value: None,
        headers,
        ..whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ReceivedRecord {
        ReceivedRecord {
            topic: "order_created".into(),
            partition: 3,
            offset: 42,
            timestamp_ms: Some(1_700_000_000_000),
            key: Some(b"k".to_vec()),
            value: Some(b"{oops".to_vec()),
            headers: vec![("traceparent".into(), b"00-abc".to_vec())],
            header_error: None,
        }
    }

    fn header(record: &Record, key: &str) -> Option<String> {
        record
            .headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    #[test]
    fn a_refused_record_is_reduced_to_its_place_and_reason() {
        let rejection = Rejection::new("not_json", "bad");
        let whole = dead_letter(&record(), "dlt", "g", &rejection.kind, &rejection.message);
        let reduced = reduced(whole, &record(), "message too large");
        assert_eq!(reduced.value, None);
        assert_eq!(reduced.key, record().key);
        assert_eq!(header(&reduced, "traceparent"), None);
        assert_eq!(
            header(&reduced, headers::ORIGINAL_OFFSET).as_deref(),
            Some("42")
        );
        assert_eq!(
            header(&reduced, headers::DROPPED).as_deref(),
            Some("value (5 bytes) and 1 headers left out: message too large")
        );
    }
}
