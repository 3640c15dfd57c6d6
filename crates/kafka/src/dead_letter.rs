//! The dead-letter record format, and its inverse: what a consuming service writes when a
//! record can never be used, and what `orders dlq` reads back and replays.
//!
//! A dead-letter record keeps the original's key, value and headers byte for byte and
//! gains `dlt-*` headers (text values) naming where it came from and why it was set
//! aside. Its partition is chosen by its key, like any record's: the dead-letter topic
//! may have fewer partitions than the topic it serves (a broker's default when it was
//! auto-created, or a main topic grown later), and pinning the source partition would
//! then make every write fail.
//!
//! Replaying undoes it: the original topic, key, value and headers, without the `dlt-*`
//! ones, plus [`REPLAYED_FROM`] naming the dead-letter record it came from. A replayed
//! record that fails again comes back to the dead-letter topic with that header still on
//! it, which is how a later replay knows it has been tried once already.

use crate::{ReceivedRecord, Record};

/// The headers added to a dead-lettered record.
pub mod headers {
    pub const ORIGINAL_TOPIC: &str = "dlt-original-topic";
    pub const ORIGINAL_PARTITION: &str = "dlt-original-partition";
    pub const ORIGINAL_OFFSET: &str = "dlt-original-offset";
    pub const ORIGINAL_TIMESTAMP: &str = "dlt-original-timestamp";
    pub const CONSUMER_GROUP: &str = "dlt-consumer-group";
    pub const ERROR_KIND: &str = "dlt-error-kind";
    pub const ERROR_MESSAGE: &str = "dlt-error-message";
    /// Set when the broker refused the whole record, so it was written without its value
    /// and original headers: what was left out and why (the source record still has them).
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

/// The header a replayed record carries: the dead-letter record it was replayed from, as
/// `topic/partition@offset`. It is not a `dlt-*` header, so that it survives being
/// dead-lettered again.
pub const REPLAYED_FROM: &str = "replayed-from";

/// The dead-letter record for `record`, which `group` could not use because of an error
/// of `error_kind` (a short stable name such as `not_json`) described by `error_message`.
/// It goes to `topic`, in the partition its key chooses.
pub fn dead_letter(
    record: &ReceivedRecord,
    topic: &str,
    group: &str,
    error_kind: &str,
    error_message: &str,
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
        (headers::ERROR_KIND, error_kind.to_owned()),
        (headers::ERROR_MESSAGE, error_message.to_owned()),
    ] {
        headers.push((key.to_owned(), value.into_bytes()));
    }
    Record {
        topic: topic.to_owned(),
        partition: None,
        key: record.key.clone(),
        value: record.value.clone(),
        headers,
    }
}

/// The record as it was before `dead` was dead-lettered, to send back: its original topic
/// (`default_topic` when the header is missing), key, value and headers without the
/// `dlt-*` ones, and [`REPLAYED_FROM`] naming `dead`. The key picks the partition.
pub fn replay(dead: &ReceivedRecord, default_topic: &str) -> Record {
    let why = DeadLetter::of(dead);
    let mut headers: Vec<(String, Vec<u8>)> = dead
        .headers
        .iter()
        .filter(|(k, _)| !headers::ALL.contains(&k.as_str()) && k != REPLAYED_FROM)
        .cloned()
        .collect();
    headers.push((REPLAYED_FROM.to_owned(), dead.position().into_bytes()));
    Record {
        topic: why
            .original_topic
            .unwrap_or_else(|| default_topic.to_owned()),
        partition: None,
        key: dead.key.clone(),
        value: dead.value.clone(),
        headers,
    }
}

/// What the `dlt-*` headers of a dead-letter record say, as text (empty headers and
/// missing ones are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadLetter {
    pub original_topic: Option<String>,
    pub original_partition: Option<String>,
    pub original_offset: Option<String>,
    pub consumer_group: Option<String>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    /// The dead-letter record this one was replayed from, when it is a replay that was
    /// set aside again.
    pub replayed_from: Option<String>,
}

impl DeadLetter {
    pub fn of(record: &ReceivedRecord) -> Self {
        let text = |key: &str| {
            record
                .header(key)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            original_topic: text(headers::ORIGINAL_TOPIC),
            original_partition: text(headers::ORIGINAL_PARTITION),
            original_offset: text(headers::ORIGINAL_OFFSET),
            consumer_group: text(headers::CONSUMER_GROUP),
            error_kind: text(headers::ERROR_KIND),
            error_message: text(headers::ERROR_MESSAGE),
            replayed_from: text(REPLAYED_FROM),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original() -> ReceivedRecord {
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

    /// `record` as the broker would hand it back from `topic`.
    fn received(record: Record, partition: i32, offset: i64) -> ReceivedRecord {
        ReceivedRecord {
            topic: record.topic,
            partition,
            offset,
            timestamp_ms: None,
            key: record.key,
            value: record.value,
            headers: record.headers,
            header_error: None,
        }
    }

    #[test]
    fn a_dead_letter_keeps_the_record_and_says_where_it_came_from_and_why() {
        let record = original();
        let message = "value is not JSON: key must be a string at line 1 column 2";
        let dead = dead_letter(
            &record,
            "order_created-dlt",
            "order-service-group",
            "not_json",
            message,
        );
        assert_eq!(dead.topic, "order_created-dlt");
        assert_eq!(dead.partition, None, "the key chooses the partition");
        assert_eq!((&dead.key, &dead.value), (&record.key, &record.value));
        let why = DeadLetter::of(&received(dead.clone(), 0, 5));
        assert_eq!(
            why,
            DeadLetter {
                original_topic: Some("order_created".into()),
                original_partition: Some("3".into()),
                original_offset: Some("42".into()),
                consumer_group: Some("order-service-group".into()),
                error_kind: Some("not_json".into()),
                error_message: Some(message.into()),
                replayed_from: None,
            }
        );
        let header = |k: &str| dead.headers.iter().find(|(key, _)| key == k).cloned();
        assert_eq!(
            header("traceparent"),
            Some(("traceparent".into(), b"00-abc".to_vec()))
        );
        assert_eq!(
            header(headers::ORIGINAL_TIMESTAMP).map(|(_, v)| v),
            Some(b"1700000000000".to_vec())
        );
    }

    #[test]
    fn a_replay_is_the_original_without_dead_letter_headers_naming_where_it_came_from() {
        let record = original();
        let dead = received(
            dead_letter(&record, "order_created-dlt", "g", "not_json", "bad"),
            1,
            5,
        );
        let replayed = replay(&dead, "fallback");
        assert_eq!(replayed.topic, "order_created");
        assert_eq!(replayed.partition, None);
        assert_eq!(
            (&replayed.key, &replayed.value),
            (&record.key, &record.value)
        );
        assert_eq!(
            replayed.headers,
            vec![
                ("traceparent".to_owned(), b"00-abc".to_vec()),
                (REPLAYED_FROM.to_owned(), b"order_created-dlt/1@5".to_vec()),
            ]
        );

        // Set aside again, it says so; replayed once more, it names the newer copy only.
        let again = received(
            dead_letter(
                &received(replayed, 0, 9),
                "order_created-dlt",
                "g",
                "not_json",
                "bad",
            ),
            0,
            8,
        );
        assert_eq!(
            DeadLetter::of(&again).replayed_from.as_deref(),
            Some("order_created-dlt/1@5")
        );
        let twice = replay(&again, "fallback");
        let named: Vec<_> = twice
            .headers
            .iter()
            .filter(|(k, _)| k == REPLAYED_FROM)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect();
        assert_eq!(named, ["order_created-dlt/0@8"]);
    }

    #[test]
    fn a_record_without_an_original_topic_goes_back_to_the_default_one() {
        let mut dead = original();
        dead.topic = "order_created-dlt".into();
        assert_eq!(replay(&dead, "order_created").topic, "order_created");
    }
}
