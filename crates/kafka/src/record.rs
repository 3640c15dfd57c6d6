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

use orders_core::CorrelationId;
use rdkafka::message::{BorrowedMessage, Message};
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

    /// The correlation id the record carries: its key (the contract's rule), or, when
    /// the key is not a valid correlation id, the value's `correlationId`.
    pub fn correlation_id(&self) -> Option<CorrelationId> {
        let from_key = self
            .key
            .as_deref()
            .and_then(|k| std::str::from_utf8(k).ok())
            .and_then(|k| CorrelationId::parse(k).ok());
        from_key.or_else(|| {
            let value: serde_json::Value = serde_json::from_slice(self.value.as_deref()?).ok()?;
            CorrelationId::parse(value.get("correlationId")?.as_str()?).ok()
        })
    }

    /// `topic/partition@offset`, the way logs and the CLI name a record.
    pub fn position(&self) -> String {
        format!("{}/{}@{}", self.topic, self.partition, self.offset)
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
