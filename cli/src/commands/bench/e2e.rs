//! End-to-end accounting: after the load, was every accepted order persisted, once?
//!
//! The order-service's admin port answers `POST /lookup` with every stored row for
//! a list of correlation ids, persisted-at times included. Asking it repeatedly for the
//! ids still missing, until a deadline, gives: persisted, missing (accepted but never
//! persisted), duplicated (more than one row for one id), the accept-to-persisted latency
//! of each order, and when the backlog was drained.

use super::load::{Accepted, new_histogram};
use crate::client::Admin;
use chrono::{DateTime, Utc};
use hdrhistogram::Histogram;
use indicatif::ProgressBar;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

const LOOKUP_CHUNK: usize = 1_000;

#[derive(Debug)]
pub(crate) struct Persistence {
    pub(crate) persisted: u64,
    pub(crate) missing: u64,
    pub(crate) duplicated: u64,
    /// Microseconds from the 202 (as the benchmark saw it) to the commit (as the
    /// order-service stamped it); 0 when the commit came first.
    pub(crate) latency: Histogram<u64>,
    /// From the end of the load to the last commit; zero when everything was persisted
    /// while the load ran.
    pub(crate) drain: Duration,
    /// Some of the missing ids, for the report.
    pub(crate) missing_ids: Vec<String>,
    /// The last failed lookup, when the order-service could not always be asked.
    pub(crate) lookup_error: Option<String>,
    /// `(accepted at, persisted at)` of every order found, for the report's charts.
    pub(crate) timings: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

pub(crate) async fn account(
    admin: &Admin,
    ledger: &[Accepted],
    load_ended_at: DateTime<Utc>,
    timeout: Duration,
    progress: &ProgressBar,
) -> Persistence {
    let deadline = Instant::now() + timeout;
    let mut pending: HashMap<&str, DateTime<Utc>> = ledger
        .iter()
        .map(|a| (a.correlation_id.as_str(), a.accepted_at))
        .collect();
    let mut found = Persistence {
        persisted: 0,
        missing: 0,
        duplicated: 0,
        latency: new_histogram(),
        drain: Duration::ZERO,
        missing_ids: Vec::new(),
        lookup_error: None,
        timings: Vec::with_capacity(ledger.len()),
    };
    let mut last_commit = load_ended_at;
    progress.set_length(ledger.len() as u64);
    let mut last_error = None;
    while !pending.is_empty() && Instant::now() < deadline {
        let ids: Vec<String> = pending.keys().map(|id| (*id).to_owned()).collect();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let rows = match admin.lookup(chunk).await {
                Ok(rows) => rows,
                Err(error) => {
                    last_error = Some(error);
                    continue;
                }
            };
            for (id, (count, persisted_at)) in by_id(&rows) {
                let Some(accepted_at) = pending.remove(id.as_str()) else {
                    continue;
                };
                found.persisted += 1;
                if count > 1 {
                    found.duplicated += 1;
                }
                let micros = (persisted_at - accepted_at)
                    .num_microseconds()
                    .unwrap_or(0)
                    .max(0);
                found.latency.saturating_record(micros as u64);
                found.timings.push((accepted_at, persisted_at));
                last_commit = last_commit.max(persisted_at);
                progress.inc(1);
            }
        }
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // An order-service that cannot be asked makes every order it did not confirm
    // missing: the run fails with them counted, and says why.
    found.lookup_error = last_error.map(|e| format!("{e:#}"));
    found.missing = pending.len() as u64;
    found.missing_ids = pending.keys().take(5).map(|id| (*id).to_owned()).collect();
    found.drain = (last_commit - load_ended_at).to_std().unwrap_or_default();
    found
}

/// Rows per correlation id, with the earliest persisted-at.
fn by_id(rows: &[Value]) -> HashMap<String, (u64, DateTime<Utc>)> {
    let mut ids: HashMap<String, (u64, DateTime<Utc>)> = HashMap::new();
    for row in rows {
        let (Some(id), Some(at)) = (row["correlationId"].as_str(), row["persistedAt"].as_str())
        else {
            continue;
        };
        let Ok(at) = DateTime::parse_from_rfc3339(at) else {
            continue;
        };
        let at = at.with_timezone(&Utc);
        let entry = ids.entry(id.to_owned()).or_insert((0, at));
        entry.0 += 1;
        entry.1 = entry.1.min(at);
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_are_counted_per_id_with_the_first_commit() {
        let rows = [
            json!({"correlationId": "a", "persistedAt": "2026-01-01T00:00:00.000200Z"}),
            json!({"correlationId": "a", "persistedAt": "2026-01-01T00:00:00.000100Z"}),
            json!({"correlationId": "b", "persistedAt": "2026-01-01T00:00:01.000000Z"}),
        ];
        let ids = by_id(&rows);
        assert_eq!(ids["a"].0, 2);
        assert_eq!(ids["a"].1.timestamp_subsec_micros(), 100);
        assert_eq!(ids["b"].0, 1);
    }
}
