//! The two ways the pipeline writes a time: UTC with milliseconds for the event's
//! `createdAt` (JavaScript's `toISOString()`, the contract's format), and UTC with
//! microseconds for the order-service's `persistedAt`. Serialisers and the CLI's
//! printing share these, so the same instant always reads the same.

use chrono::{DateTime, SecondsFormat, Utc};

/// `2025-12-05T21:15:00.000Z`
pub fn millis(t: DateTime<Utc>) -> String {
    // to_rfc3339_opts writes directly; `format` would parse a strftime string per call.
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `2025-12-05T21:15:00.000123Z`
pub fn micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}
