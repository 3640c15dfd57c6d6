//! Times on the wire, written one way and read with one set of rules: UTC with
//! milliseconds for the events' times (JavaScript's `toISOString()`, the contract's
//! format), UTC with microseconds for the order-service's own stamps (`persistedAt`).
//! Serialisers and the CLI's printing share these, so the same instant always reads the
//! same, and what is read is only what every store can keep.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serializer};

const OUTSIDE_UTC_YEARS: &str = "must stay within the years 0000 to 9999 in UTC (on 9999-12-31 \
     no offset that moves it forward, on 0000-01-01 none that moves it back)";

/// Reads an RFC 3339 time as UTC, or says what is wrong with it (phrased to follow a
/// field's path: "must …").
pub fn parse(s: &str) -> Result<DateTime<Utc>, &'static str> {
    match DateTime::parse_from_rfc3339(s) {
        Err(_) => Err("must be an ISO-8601 timestamp such as 2025-12-05T21:15:00.000Z"),
        // A leap second (`23:59:60`) is valid RFC 3339, but JavaScript never writes one
        // and the stores would keep it as the next second: not the event that was sent.
        Ok(t) if t.nanosecond() >= 1_000_000_000 => Err("must not be a leap second"),
        Ok(t) => {
            // What `Date.toISOString()` can write, and what every store can keep: years
            // 0000 to 9999 in UTC. On the first and last day, an offset is refused by its
            // direction alone (not by whether this time crosses), which is what the JSON
            // Schema's pattern can say too, so that the two agree exactly.
            let offset = t.offset().local_minus_utc();
            let (year, ordinal) = (t.year(), t.ordinal());
            let last_day = year == 9999 && ordinal == 365;
            let first_day = year == 0 && ordinal == 1;
            if (last_day && offset < 0) || (first_day && offset > 0) {
                return Err(OUTSIDE_UTC_YEARS);
            }
            Ok(t.with_timezone(&Utc))
        }
    }
}

/// `2025-12-05T21:15:00.000Z`
pub fn millis(t: DateTime<Utc>) -> String {
    // to_rfc3339_opts writes directly; `format` would parse a strftime string per call.
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `2025-12-05T21:15:00.000123Z`
pub fn micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn serialize_millis<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&millis(*t))
}

/// Reads a time with [`parse`]'s rules.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(|message| serde::de::Error::custom(format!("`{text}` {message}")))
}
