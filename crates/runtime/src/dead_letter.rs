//! The dead-letter writer: records a service can never use go to its dead-letter topic,
//! with where they came from and why, and only then is their offset stored.
//!
//! The record keeps its key, value and headers and gains the `dlt-*` headers; its key
//! chooses the partition (the dead-letter topic may have fewer partitions than the
//! source). A broker that refuses the record itself for good (larger than the
//! dead-letter topic allows, say) gets it without its value and headers, with a header
//! that says what was dropped: the record's place in its source topic is still named, so
//! it can be found there, and the group moves on.

use crate::handler::Rejection;
use orders_core::{PublishError, Published};
use orders_kafka::{KafkaPublisher, ReceivedRecord, Record};

/// The headers added to a dead-lettered record.
pub mod headers {
    pub const ORIGINAL_TOPIC: &str = "dlt-original-topic";
    pub const ORIGINAL_PARTITION: &str = "dlt-original-partition";
    pub const ORIGINAL_OFFSET: &str = "dlt-original-offset";
    pub const ORIGINAL_TIMESTAMP: &str = "dlt-original-timestamp";
    pub const CONSUMER_GROUP: &str = "dlt-consumer-group";
    pub const ERROR_KIND: &str = "dlt-error-kind";
    pub const ERROR_MESSAGE: &str = "dlt-error-message";
    /// Set when the broker refused the whole record: what was left out and why.
    pub const DROPPED: &str = "dlt-dropped";
    /// Every header above: what replay strips before sending a record back.
    pub const ALL: [&str; 8] = [
        ORIGINAL_TOPIC,
        ORIGINAL_PARTITION,
        ORIGINAL_OFFSET,
        ORIGINAL_TIMESTAMP,
        CONSUMER_GROUP,
        ERROR_KIND,
        ERROR_MESSAGE,
        DROPPED,
    ];
}

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
        let whole = dead_letter(record, rejection, &self.topic, &self.group);
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

/// The dead-letter record for `record`: pure, so it can be checked without a broker.
pub fn dead_letter(
    record: &ReceivedRecord,
    rejection: &Rejection,
    topic: &str,
    group: &str,
) -> Record {
    let mut headers = record.headers.clone();
    headers.extend(provenance(record, rejection, group));
    Record {
        topic: topic.to_owned(),
        partition: None,
        key: record.key.clone(),
        value: record.value.clone(),
        headers,
    }
}

fn provenance(
    record: &ReceivedRecord,
    rejection: &Rejection,
    group: &str,
) -> Vec<(String, Vec<u8>)> {
    let timestamp = record
        .timestamp_ms
        .map(|t| t.to_string())
        .unwrap_or_default();
    [
        (headers::ORIGINAL_TOPIC, record.topic.clone()),
        (headers::ORIGINAL_PARTITION, record.partition.to_string()),
        (headers::ORIGINAL_OFFSET, record.offset.to_string()),
        (headers::ORIGINAL_TIMESTAMP, timestamp),
        (headers::CONSUMER_GROUP, group.to_owned()),
        (headers::ERROR_KIND, rejection.kind.to_string()),
        (headers::ERROR_MESSAGE, rejection.message.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_bytes()))
    .collect()
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
    fn a_dead_letter_keeps_the_record_and_says_where_it_came_from_and_why() {
        let rejection = Rejection::new("not_json", "value is not JSON: key must be a string");
        let dead = dead_letter(
            &record(),
            &rejection,
            "order_created-dlt",
            "order-service-group",
        );
        assert_eq!(dead.topic, "order_created-dlt");
        assert_eq!(dead.partition, None, "the key chooses the partition");
        assert_eq!((&dead.key, &dead.value), (&record().key, &record().value));
        assert_eq!(header(&dead, "traceparent").as_deref(), Some("00-abc"));
        assert_eq!(
            header(&dead, headers::ORIGINAL_TOPIC).as_deref(),
            Some("order_created")
        );
        assert_eq!(
            header(&dead, headers::ORIGINAL_PARTITION).as_deref(),
            Some("3")
        );
        assert_eq!(
            header(&dead, headers::ORIGINAL_OFFSET).as_deref(),
            Some("42")
        );
        assert_eq!(
            header(&dead, headers::ORIGINAL_TIMESTAMP).as_deref(),
            Some("1700000000000")
        );
        assert_eq!(
            header(&dead, headers::CONSUMER_GROUP).as_deref(),
            Some("order-service-group")
        );
        assert_eq!(
            header(&dead, headers::ERROR_KIND).as_deref(),
            Some("not_json")
        );
        assert_eq!(
            header(&dead, headers::ERROR_MESSAGE).as_deref(),
            Some("value is not JSON: key must be a string")
        );
    }

    #[test]
    fn a_refused_record_is_reduced_to_its_place_and_reason() {
        let rejection = Rejection::new("not_json", "bad");
        let whole = dead_letter(&record(), &rejection, "dlt", "g");
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
