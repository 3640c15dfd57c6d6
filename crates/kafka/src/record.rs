//! A record as it was read from the log, owned, and read without a path that can panic.
//!
//! Topics are written by more than our own producers, so nothing a record can contain
//! may crash the process that reads it. rdkafka's `Headers` iterator unwraps every header
//! key as UTF-8 and panics on one that is not (the Kafka protocol calls keys strings, but
//! any client can write any bytes); a consumer that panics there never stores the
//! record's offset and panics again on it after every restart. So headers are read here
//! straight from librdkafka, keys as bytes: a key that is not UTF-8 is kept (lossily) and
//! reported in [`ReceivedRecord::header_error`], which makes the record poison for the
//! services and a line like any other for `tail`.
//!
//! It is also the one place that says which correlation id a record carries and how a
//! record is shown as JSON, so that the services, `tail`, `trace` and `dlq` agree.

use chrono::DateTime;
use rdkafka::message::{BorrowedMessage, Message};
use serde_json::{Map, Value, json};
use std::borrow::Cow;

/// A record as it was read from the log, owned so that it can wait in a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// Milliseconds since the epoch (create or log-append time), when the broker gave one.
    pub timestamp_ms: Option<i64>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    /// Every header in order. A key that is not UTF-8 is here with its invalid bytes
    /// replaced by U+FFFD, and named in [`Self::header_error`].
    pub headers: Vec<(String, Vec<u8>)>,
    /// Why the headers are not what the producer wrote, when they are not: the first
    /// key that is not UTF-8, in hex.
    pub header_error: Option<String>,
}

impl ReceivedRecord {
    pub(crate) fn from_message(message: &BorrowedMessage<'_>) -> Self {
        let mut header_error = None;
        let headers = crate::ffi::headers(message)
            .into_iter()
            .map(|(key, value)| {
                let (key, problem) = header_key(&key);
                header_error = header_error.take().or(problem);
                (key, value)
            })
            .collect();
        Self {
            topic: message.topic().to_owned(),
            partition: message.partition(),
            offset: message.offset(),
            timestamp_ms: message.timestamp().to_millis(),
            key: message.key().map(<[u8]>::to_vec),
            value: message.payload().map(<[u8]>::to_vec),
            headers,
            header_error,
        }
    }

    /// The key as text, for people to read: invalid UTF-8 replaced, empty when absent.
    pub fn key_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.key.as_deref().unwrap_or_default())
    }

    /// The value of the first header named `key`.
    pub fn header(&self, key: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// `topic/partition@offset`, the way logs and the CLI name a record.
    pub fn position(&self) -> String {
        format!("{}/{}@{}", self.topic, self.partition, self.offset)
    }

    /// The correlation id the record carries: its value's `correlationId` when the value
    /// is JSON that has one as a string, else its key when that is UTF-8. The value comes
    /// first because it is what the order-service persists under; the key is all a record
    /// that is not JSON has.
    pub fn correlation_id(&self) -> Option<Cow<'_, str>> {
        let from_value = self
            .value
            .as_deref()
            .and_then(|v| serde_json::from_slice::<Value>(v).ok())
            .and_then(|v| match v.get("correlationId") {
                Some(Value::String(id)) => Some(id.clone()),
                _ => None,
            });
        from_value.map(Cow::Owned).or_else(|| {
            self.key
                .as_deref()
                .and_then(|k| std::str::from_utf8(k).ok())
                .map(Cow::Borrowed)
        })
    }

    /// The broker's timestamp as UTC with milliseconds (`2025-12-05T21:15:00.000Z`),
    /// the contract's own format.
    pub fn timestamp(&self) -> Option<String> {
        let at = DateTime::from_timestamp_millis(self.timestamp_ms?)?;
        Some(orders_core::time::millis(at))
    }

    /// The record as one JSON object: `topic`, `partition`, `offset`, `timestamp`, `key`
    /// (text), `headers` (name to text), `value` (embedded as JSON when it is JSON, as a
    /// string otherwise), and `headerError` when the headers are not what was written.
    /// Bytes that are not UTF-8 are replaced, so the line is always valid JSON.
    pub fn to_json(&self) -> Value {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(text(v))))
            .collect();
        let value = self.value.as_deref().map(|bytes| {
            serde_json::from_slice::<Value>(bytes).unwrap_or_else(|_| Value::String(text(bytes)))
        });
        let mut json = json!({
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp(),
            "key": self.key.as_deref().map(text),
            "headers": headers,
            "value": value,
        });
        if let (Some(error), Some(object)) = (&self.header_error, json.as_object_mut()) {
            object.insert("headerError".into(), Value::String(error.clone()));
        }
        json
    }
}

/// Turns a header key's bytes into the key and, when they are not UTF-8, the problem.
fn header_key(bytes: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(key) => (key.to_owned(), None),
        Err(_) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            (
                String::from_utf8_lossy(bytes).into_owned(),
                Some(format!("a header key is not UTF-8 (bytes {hex})")),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: Option<&[u8]>, value: Option<&[u8]>) -> ReceivedRecord {
        ReceivedRecord {
            topic: "order_created".into(),
            partition: 2,
            offset: 7,
            timestamp_ms: Some(1_764_969_300_000),
            key: key.map(<[u8]>::to_vec),
            value: value.map(<[u8]>::to_vec),
            ..ReceivedRecord::default()
        }
    }

    #[test]
    fn the_correlation_id_comes_from_the_value_then_the_key() {
        let id = |r: &ReceivedRecord| r.correlation_id().map(Cow::into_owned);
        let value = br#"{"correlationId":"c-9"}"#;
        assert_eq!(
            id(&record(Some(b"k-1"), Some(value))).as_deref(),
            Some("c-9")
        );
        assert_eq!(
            id(&record(Some(b"k-1"), Some(b"garbage"))).as_deref(),
            Some("k-1")
        );
        assert_eq!(
            id(&record(Some(b"k-1"), Some(br#"{"correlationId":7}"#))).as_deref(),
            Some("k-1")
        );
        assert_eq!(id(&record(Some(b"\xff"), None)), None);
        assert_eq!(id(&record(None, None)), None);
    }

    #[test]
    fn a_record_as_json_embeds_a_json_value_and_quotes_anything_else() {
        let json = record(Some(b"k-1"), Some(br#"{"a":1}"#)).to_json();
        assert_eq!(json["value"], json!({"a": 1}));
        assert_eq!(json["timestamp"], "2025-12-05T21:15:00.000Z");
        assert_eq!(json["key"], "k-1");
        assert_eq!(
            (json["partition"].as_i64(), json["offset"].as_i64()),
            (Some(2), Some(7))
        );
        assert!(json.get("headerError").is_none());

        let mut odd = record(None, Some(b"\xffnot json"));
        odd.headers.push(("k\u{fffd}".into(), b"v".to_vec()));
        odd.header_error = Some("a header key is not UTF-8 (bytes 6bff)".into());
        let json = odd.to_json();
        assert_eq!(json["value"], "\u{fffd}not json");
        assert_eq!(json["key"], Value::Null);
        assert_eq!(json["headers"]["k\u{fffd}"], "v");
        assert_eq!(
            json["headerError"],
            "a header key is not UTF-8 (bytes 6bff)"
        );
    }

    #[test]
    fn a_key_that_is_not_utf8_is_kept_lossily_and_named_in_hex() {
        assert_eq!(header_key(b"traceparent"), ("traceparent".into(), None));
        let (key, problem) = header_key(b"k\xff");
        assert_eq!(key, "k\u{fffd}");
        assert_eq!(
            problem.as_deref(),
            Some("a header key is not UTF-8 (bytes 6bff)")
        );
    }
}
