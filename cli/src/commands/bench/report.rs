//! The benchmark's results: one `Summary`, printed as tables for people or as one JSON
//! document for scripts (`--json`; the field names are documented in docs/benchmarks.md
//! and do not change without a new `version`).

use super::baseline::Comparison;
use super::e2e::Persistence;
use super::load::Outcome;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    /// Version of this document's shape.
    pub(crate) version: u32,
    pub(crate) gateway: String,
    /// `closed` (each worker waits for its answer) or `open` (fixed arrival rate).
    pub(crate) mode: &'static str,
    /// Measured orders asked for (`-n`), or `null` with `--duration`.
    pub(crate) requests: Option<u64>,
    /// The `--duration` asked for, or `null` with `-n`.
    pub(crate) duration_seconds: Option<f64>,
    pub(crate) concurrency: usize,
    pub(crate) rate: Option<f64>,
    pub(crate) warmup: u64,
    pub(crate) seed: u64,
    pub(crate) sent: u64,
    pub(crate) accepted: u64,
    pub(crate) client_errors: u64,
    pub(crate) server_errors: u64,
    pub(crate) transport_errors: u64,
    /// Errors of any kind over sent, 0 to 1.
    pub(crate) error_rate: f64,
    pub(crate) elapsed_seconds: f64,
    /// Accepted orders per second over the measured period.
    pub(crate) throughput: f64,
    pub(crate) latency_ms: Percentiles,
    pub(crate) e2e: Option<EndToEnd>,
    /// A few of the error answers, verbatim.
    pub(crate) errors: Vec<String>,
    /// Why the run failed its checks; empty when it passed.
    pub(crate) failures: Vec<String>,
    /// With `--baseline`: this run against the earlier one (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) baseline: Option<Comparison>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EndToEnd {
    /// Accepted orders the order-service has (warm-up included).
    pub(crate) persisted: u64,
    /// Accepted orders it never persisted before the deadline.
    pub(crate) missing: u64,
    /// Accepted orders stored more than once.
    pub(crate) duplicated: u64,
    /// From the 202 to the commit.
    pub(crate) latency_ms: Percentiles,
    /// From the end of the load to the last commit.
    pub(crate) drain_seconds: f64,
    pub(crate) missing_sample: Vec<String>,
    /// Why the order-service could not always be asked, if it could not.
    pub(crate) lookup_error: Option<String>,
    /// How the orders ended, when the saga ran (absent when no order was ever decided).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) saga: Option<SagaEnd>,
}

/// The saga's part of an end-to-end run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SagaEnd {
    pub(crate) confirmed: u64,
    pub(crate) rejected: u64,
    /// Persisted but still pending at the deadline: an invariant broken.
    pub(crate) pending: u64,
    pub(crate) pending_sample: Vec<String>,
    /// From the 202 to the final state.
    pub(crate) final_latency_ms: Percentiles,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Percentiles {
    pub(crate) min: f64,
    pub(crate) p50: f64,
    pub(crate) p90: f64,
    pub(crate) p99: f64,
    pub(crate) p999: f64,
    pub(crate) max: f64,
    pub(crate) mean: f64,
}

impl Percentiles {
    pub(crate) fn of(h: &Histogram<u64>) -> Self {
        let ms = |micros: u64| micros as f64 / 1e3;
        if h.is_empty() {
            return Self {
                min: 0.0,
                p50: 0.0,
                p90: 0.0,
                p99: 0.0,
                p999: 0.0,
                max: 0.0,
                mean: 0.0,
            };
        }
        Self {
            min: ms(h.min()),
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
            mean: h.mean() / 1e3,
        }
    }
}

impl Summary {
    pub(crate) fn e2e(persistence: &Persistence) -> EndToEnd {
        EndToEnd {
            persisted: persistence.persisted,
            missing: persistence.missing,
            duplicated: persistence.duplicated,
            latency_ms: Percentiles::of(&persistence.latency),
            drain_seconds: persistence.drain.as_secs_f64(),
            missing_sample: persistence.missing_ids.clone(),
            lookup_error: persistence.lookup_error.clone(),
            saga: persistence.finals.as_ref().map(|f| SagaEnd {
                confirmed: f.confirmed,
                rejected: f.rejected,
                pending: f.pending,
                pending_sample: f.pending_sample.clone(),
                final_latency_ms: Percentiles::of(&f.latency),
            }),
        }
    }

    pub(crate) fn counts(outcome: &Outcome) -> (f64, f64) {
        let error_rate = if outcome.sent == 0 {
            0.0
        } else {
            outcome.errors_total() as f64 / outcome.sent as f64
        };
        let seconds = outcome.elapsed.as_secs_f64();
        let throughput = if seconds > 0.0 {
            outcome.accepted as f64 / seconds
        } else {
            0.0
        };
        (error_rate, throughput)
    }

    /// A run with every figure zero, for tests to adjust.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        let none = Histogram::<u64>::new(3).unwrap_or_else(|e| unreachable!("{e}"));
        Self {
            version: 1,
            gateway: "http://127.0.0.1:3000".into(),
            mode: "closed",
            requests: Some(100),
            duration_seconds: None,
            concurrency: 64,
            rate: None,
            warmup: 0,
            seed: 1,
            sent: 0,
            accepted: 0,
            client_errors: 0,
            server_errors: 0,
            transport_errors: 0,
            error_rate: 0.0,
            elapsed_seconds: 0.0,
            throughput: 0.0,
            latency_ms: Percentiles::of(&none),
            e2e: None,
            errors: Vec::new(),
            failures: Vec::new(),
            baseline: None,
        }
    }

    /// The tables a person reads.
    pub(crate) fn tables(&self) -> String {
        let mut results = Table::new();
        results
            .load_preset(UTF8_FULL_CONDENSED)
            .set_header(["result", "value"]);
        let mut row = |name: &str, value: String| {
            results.add_row([name.to_owned(), value]);
        };
        row("sent", self.sent.to_string());
        row("202 accepted", self.accepted.to_string());
        row("4xx", self.client_errors.to_string());
        row("5xx", self.server_errors.to_string());
        row("transport errors", self.transport_errors.to_string());
        row("elapsed", format!("{:.2} s", self.elapsed_seconds));
        row("throughput", format!("{:.0} orders/s", self.throughput));
        if let Some(e2e) = &self.e2e {
            row("persisted", e2e.persisted.to_string());
            row("missing", e2e.missing.to_string());
            row("duplicated", e2e.duplicated.to_string());
            row(
                "backlog drained",
                format!("{:.2} s after the load", e2e.drain_seconds),
            );
            match &e2e.saga {
                Some(saga) => {
                    row("confirmed", saga.confirmed.to_string());
                    row("rejected", saga.rejected.to_string());
                    row("never final", saga.pending.to_string());
                }
                None => row(
                    "final state",
                    "none decided (no inventory or payment service?)".into(),
                ),
            }
        }
        if let Some(column) = results.column_mut(1) {
            column.set_cell_alignment(CellAlignment::Right);
        }

        let mut latency = Table::new();
        latency.load_preset(UTF8_FULL_CONDENSED).set_header([
            "latency (ms)",
            "min",
            "p50",
            "p90",
            "p99",
            "p99.9",
            "max",
        ]);
        let mut add = |name: &str, p: &Percentiles| {
            let cells = [p.min, p.p50, p.p90, p.p99, p.p999, p.max].map(|v| format!("{v:.2}"));
            let mut row = vec![name.to_owned()];
            row.extend(cells);
            latency.add_row(row);
        };
        add("request (202)", &self.latency_ms);
        if let Some(e2e) = &self.e2e {
            add("accepted → persisted", &e2e.latency_ms);
            if let Some(saga) = &e2e.saga {
                add("accepted → final", &saga.final_latency_ms);
            }
        }
        for i in 1..=6 {
            if let Some(column) = latency.column_mut(i) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        format!("{results}\n{latency}")
    }
}
