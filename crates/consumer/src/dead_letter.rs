//! The dead-letter topic: where records that can never become orders are kept, with
//! enough context to understand and replay them.
//!
//! The record keeps its key, value and headers byte for byte, goes to the same partition
//! number, and gains `dlt-*` headers (text values) naming where it came from and why it
//! was set aside. `orders dlq tail` shows them; `orders dlq replay` sends the record
//! back once its cause is fixed.

use orders_core::{EventError, PublishError, Published};
use orders_kafka::ReceivedRecord;
use orders_kafka::{KafkaPublisher, Record};

/// The headers added to a dead-lettered record.
pub mod headers {
    pub const ORIGINAL_TOPIC: &str = "dlt-original-topic";
    pub const ORIGINAL_PARTITION: &str = "dlt-original-partition";
    pub const ORIGINAL_OFFSET: &str = "dlt-original-offset";
    pub const ORIGINAL_TIMESTAMP: &str = "dlt-original-timestamp";
    pub const CONSUMER_GROUP: &str = "dlt-consumer-group";
    pub const ERROR_KIND: &str = "dlt-error-kind";
    pub const ERROR_MESSAGE: &str = "dlt-error-message";
    /// Every header above: what replay strips before sending a record back.
    pub const ALL: [&str; 7] = [
        ORIGINAL_TOPIC,
        ORIGINAL_PARTITION,
        ORIGINAL_OFFSET,
        ORIGINAL_TIMESTAMP,
        CONSUMER_GROUP,
        ERROR_KIND,
        ERROR_MESSAGE,
    ];
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

    /// Writes `record` with its error and waits for the broker's acknowledgement.
    pub async fn send(
        &self,
        record: &ReceivedRecord,
        error: &EventError,
    ) -> Result<Published, PublishError> {
        self.publisher
            .publish_record(&dead_letter(record, error, &self.topic, &self.group))
            .await
    }
}

/// The dead-letter record for `record`: pure, so it can be checked without a broker.
pub fn dead_letter(
    record: &ReceivedRecord,
    error: &EventError,
    topic: &str,
    group: &str,
) -> Record {
    let mut headers = record.headers.clone();
    let timestamp = record
        .timestamp_ms
        .map(|t| t.to_string())
        .unwrap_or_default();
    for (key, value) in [
        (headers::ORIGINAL_TOPIC, record.topic.clone()),
        (headers::ORIGINAL_PARTITION, record.partition.to_string()),
        (headers::ORIGINAL_OFFSET, record.offset.to_string()),
        (headers::ORIGINAL_TIMESTAMP, timestamp),
        (headers::CONSUMER_GROUP, group.to_owned()),
        (headers::ERROR_KIND, error.kind().to_owned()),
        (headers::ERROR_MESSAGE, error.to_string()),
    ] {
        headers.push((key.to_owned(), value.into_bytes()));
    }
    Record {
        topic: topic.to_owned(),
        partition: Some(record.partition),
        key: record.key.clone(),
        value: record.value.clone(),
        headers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_letter_keeps_the_record_and_says_where_it_came_from_and_why() {
        let record = ReceivedRecord {
            topic: "order_created".into(),
            partition: 3,
            offset: 42,
            timestamp_ms: Some(1_700_000_000_000),
            key: Some(b"k".to_vec()),
            value: Some(b"{oops".to_vec()),
            headers: vec![("traceparent".into(), b"00-abc".to_vec())],
            header_error: None,
        };
        let error = EventError::NotJson("key must be a string at line 1 column 2".into());
        let dead = dead_letter(&record, &error, "order_created-dlt", "order-service-group");
        assert_eq!(dead.topic, "order_created-dlt");
        assert_eq!(dead.partition, Some(3));
        assert_eq!((dead.key, dead.value), (record.key, record.value));
        let header = |k: &str| {
            dead.headers
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(header("traceparent").as_deref(), Some("00-abc"));
        assert_eq!(
            header(headers::ORIGINAL_TOPIC).as_deref(),
            Some("order_created")
        );
        assert_eq!(header(headers::ORIGINAL_PARTITION).as_deref(), Some("3"));
        assert_eq!(header(headers::ORIGINAL_OFFSET).as_deref(), Some("42"));
        assert_eq!(
            header(headers::ORIGINAL_TIMESTAMP).as_deref(),
            Some("1700000000000")
        );
        assert_eq!(
            header(headers::CONSUMER_GROUP).as_deref(),
            Some("order-service-group")
        );
        assert_eq!(header(headers::ERROR_KIND).as_deref(), Some("not_json"));
        assert_eq!(
            header(headers::ERROR_MESSAGE).as_deref(),
            Some("value is not JSON: key must be a string at line 1 column 2")
        );
    }
}
