//! End-to-end accounting: after the load, was every accepted order persisted, once, and
//! did each reach its final state?
//!
//! The order-service's admin port answers `POST /lookup` with every stored row for
//! a list of correlation ids, persisted-at and decided-at times included. Asking it
//! repeatedly for the ids still missing, until a deadline, gives: persisted, missing
//! (accepted but never persisted), duplicated (more than one row for one id), the
//! accept-to-persisted latency of each order, and when the backlog was drained. When the
//! saga runs (some order reached a final state), it also waits for every order to be
//! confirmed or rejected and gives the accept-to-final latency; when nothing is ever
//! decided (no inventory or payment service), orders stay pending and that is reported,
//! not failed.

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
    /// The saga's outcome, when it ran.
    pub(crate) finals: Option<Finals>,
}

/// How the accepted orders ended.
#[derive(Debug)]
pub(crate) struct Finals {
    pub(crate) confirmed: u64,
    pub(crate) rejected: u64,
    /// Persisted but not final at the deadline.
    pub(crate) pending: u64,
    /// Microseconds from the 202 to the final state.
    pub(crate) latency: Histogram<u64>,
    pub(crate) pending_sample: Vec<String>,
}

/// How long, once every order is persisted and none is final, to wait for a first final
/// state before concluding that the saga is not running.
const NO_SAGA_AFTER: Duration = Duration::from_secs(3);

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
        finals: None,
    };
    let mut last_commit = load_ended_at;
    progress.set_length(ledger.len() as u64);
    let mut last_error = None;
    // Persisted, waiting for their final state: accepted at.
    let mut undecided: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut finals = Finals {
        confirmed: 0,
        rejected: 0,
        pending: 0,
        latency: new_histogram(),
        pending_sample: Vec::new(),
    };
    let mut saga_seen = false;
    let mut all_persisted_at: Option<Instant> = None;
    while Instant::now() < deadline {
        let waiting_for_finals =
            saga_seen || all_persisted_at.is_none_or(|at| at.elapsed() < NO_SAGA_AFTER);
        if pending.is_empty() && (undecided.is_empty() || !waiting_for_finals) {
            break;
        }
        let ids: Vec<String> = pending
            .keys()
            .chain(undecided.keys())
            .map(|id| (*id).to_owned())
            .collect();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let rows = match admin.lookup(chunk).await {
                Ok(rows) => rows,
                Err(error) => {
                    last_error = Some(error);
                    continue;
                }
            };
            for (id, row) in by_id(&rows) {
                if let Some((key, accepted_at)) = pending.remove_entry(id.as_str()) {
                    found.persisted += 1;
                    if row.count > 1 {
                        found.duplicated += 1;
                    }
                    let micros = (row.persisted_at - accepted_at)
                        .num_microseconds()
                        .unwrap_or(0)
                        .max(0);
                    found.latency.saturating_record(micros as u64);
                    found.timings.push((accepted_at, row.persisted_at));
                    last_commit = last_commit.max(row.persisted_at);
                    progress.inc(1);
                    undecided.insert(key, accepted_at);
                }
                let Some(decided_at) = row.decided_at else {
                    continue;
                };
                let Some(accepted_at) = undecided.remove(id.as_str()) else {
                    continue;
                };
                saga_seen = true;
                match row.status.as_str() {
                    "confirmed" => finals.confirmed += 1,
                    _ => finals.rejected += 1,
                }
                let micros = (decided_at - accepted_at)
                    .num_microseconds()
                    .unwrap_or(0)
                    .max(0);
                finals.latency.saturating_record(micros as u64);
            }
        }
        if pending.is_empty() && all_persisted_at.is_none() {
            all_persisted_at = Some(Instant::now());
        }
        if !pending.is_empty() || !undecided.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // An order-service that cannot be asked makes every order it did not confirm
    // missing: the run fails with them counted, and says why.
    found.lookup_error = last_error.map(|e| format!("{e:#}"));
    found.missing = pending.len() as u64;
    found.missing_ids = pending.keys().take(5).map(|id| (*id).to_owned()).collect();
    found.drain = (last_commit - load_ended_at).to_std().unwrap_or_default();
    if saga_seen {
        finals.pending = undecided.len() as u64;
        finals.pending_sample = undecided
            .keys()
            .take(5)
            .map(|id| (*id).to_owned())
            .collect();
        found.finals = Some(finals);
    }
    found
}

/// What the order-service holds for one id.
struct Row {
    count: u64,
    persisted_at: DateTime<Utc>,
    status: String,
    decided_at: Option<DateTime<Utc>>,
}

/// Rows per correlation id, with the earliest persisted-at.
fn by_id(rows: &[Value]) -> HashMap<String, Row> {
    let time = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str()?)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let mut ids: HashMap<String, Row> = HashMap::new();
    for row in rows {
        let (Some(id), Some(at)) = (row["correlationId"].as_str(), time(&row["persistedAt"]))
        else {
            continue;
        };
        let entry = ids.entry(id.to_owned()).or_insert(Row {
            count: 0,
            persisted_at: at,
            status: row["status"].as_str().unwrap_or_default().to_owned(),
            decided_at: time(&row["decidedAt"]),
        });
        entry.count += 1;
        entry.persisted_at = entry.persisted_at.min(at);
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
        assert_eq!(ids["a"].count, 2);
        assert_eq!(ids["a"].persisted_at.timestamp_subsec_micros(), 100);
        assert_eq!(ids["b"].count, 1);
        assert_eq!(ids["b"].decided_at, None);
    }
}
