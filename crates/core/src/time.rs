//! Times on the wire: UTC with milliseconds and `Z`, as JavaScript's `toISOString()` writes
//! them, and read back with the rules every store can keep.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Reads an RFC 3339 time as UTC, or says what is wrong with it (phrased to follow a
/// field's path: "must …").
pub fn parse(s: &str) -> Result<DateTime<Utc>, &'static str> {
    match DateTime::parse_from_rfc3339(s) {
        Err(_) => Err("must be an ISO-8601 timestamp such as 2025-12-05T21:15:00.000Z"),
        // A leap second (`23:59:60`) is valid RFC 3339, but JavaScript never writes one
        // and the stores would keep it as the next second: not the event that was sent.
        Ok(t) if t.nanosecond() >= 1_000_000_000 => Err("must not be a leap second"),
        Ok(t) => {
            let utc = t.with_timezone(&Utc);
            // What `Date.toISOString()` can write, and what every store can keep.
            if (0..=9999).contains(&utc.year()) {
                Ok(utc)
            } else {
                Err("must be between the years 0000 and 9999 once converted to UTC")
            }
        }
    }
}

/// `2025-12-05T21:15:00.000Z`.
pub fn millis(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn serialize_millis<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    // to_rfc3339_opts writes directly; `format` would parse a strftime string per call.
    s.serialize_str(&millis(t))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(|message| serde::de::Error::custom(format!("`{text}` {message}")))
}
