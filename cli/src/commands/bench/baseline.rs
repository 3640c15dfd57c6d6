//! `--baseline previous.json`: this run against an earlier `orders bench --json`, metric
//! by metric, and with `--max-regression PCT` a failed run when one got worse by more
//! than that, so a change can be gated in CI on what it does to throughput and latency.
//!
//! Gated: throughput, request p50, p90 and p99, and with `--e2e` on both sides the
//! accepted-to-persisted p50 and p99. Shown but not gated: p99.9 and the error rate (a
//! few hundred requests make p99.9 a single request's luck; `--max-error-rate` gates
//! errors in absolute terms, which is what a team means by it).

use super::report::{Percentiles, Summary};
use anyhow::{Context, bail};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The parts of an earlier `--json` document a comparison reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Previous {
    version: u32,
    mode: String,
    concurrency: usize,
    rate: Option<f64>,
    throughput: f64,
    error_rate: f64,
    pub(crate) latency_ms: Percentiles,
    e2e: Option<PreviousE2e>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviousE2e {
    latency_ms: Percentiles,
}

/// Reads an earlier `orders bench --json` result.
pub(crate) fn load(path: &Path) -> anyhow::Result<Previous> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
    let previous: Previous = serde_json::from_str(&text).with_context(|| {
        format!(
            "the baseline {} is not an `orders bench --json` result",
            path.display()
        )
    })?;
    if previous.version != 1 {
        bail!(
            "the baseline {} has version {}; this orders reads version 1",
            path.display(),
            previous.version
        );
    }
    Ok(previous)
}

/// One metric on both sides.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Row {
    pub(crate) metric: &'static str,
    pub(crate) unit: &'static str,
    pub(crate) baseline: f64,
    pub(crate) current: f64,
    /// (current - baseline) / baseline, in percent; null when the baseline is 0.
    pub(crate) change_percent: Option<f64>,
    /// How much worse, in percent (negative: better), whichever way is worse for it.
    pub(crate) regression_percent: Option<f64>,
    pub(crate) higher_is_better: bool,
    /// Whether --max-regression applies to it.
    pub(crate) gated: bool,
    /// Gated, and worse by more than --max-regression.
    pub(crate) regressed: bool,
}

/// The comparison, as `--json` includes it (under `baseline`) and the report charts it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Comparison {
    pub(crate) file: String,
    pub(crate) max_regression_percent: Option<f64>,
    pub(crate) rows: Vec<Row>,
    /// Why the two runs may not be comparable.
    pub(crate) notes: Vec<String>,
    /// The baseline's request percentiles, for the report's distribution chart.
    pub(crate) latency_ms: Percentiles,
}

impl Comparison {
    pub(crate) fn new(
        previous: &Previous,
        summary: &Summary,
        file: &str,
        max_regression: Option<f64>,
    ) -> Self {
        let mut rows = Vec::new();
        let mut row = |metric, unit, baseline: f64, current: f64, higher_is_better, gated| {
            let change_percent = (baseline != 0.0).then(|| (current - baseline) / baseline * 100.0);
            let regression_percent = change_percent.map(|c| if higher_is_better { -c } else { c });
            let regressed = gated
                && matches!((regression_percent, max_regression), (Some(r), Some(max)) if r > max);
            rows.push(Row {
                metric,
                unit,
                baseline,
                current,
                change_percent,
                regression_percent,
                higher_is_better,
                gated,
                regressed,
            });
        };
        let (then, now) = (&previous.latency_ms, &summary.latency_ms);
        row(
            "throughput",
            "orders/s",
            previous.throughput,
            summary.throughput,
            true,
            true,
        );
        row("request p50", "ms", then.p50, now.p50, false, true);
        row("request p90", "ms", then.p90, now.p90, false, true);
        row("request p99", "ms", then.p99, now.p99, false, true);
        row("request p99.9", "ms", then.p999, now.p999, false, false);
        row(
            "error rate",
            "%",
            previous.error_rate * 100.0,
            summary.error_rate * 100.0,
            false,
            false,
        );
        if let (Some(then), Some(now)) = (&previous.e2e, &summary.e2e) {
            let (then, now) = (&then.latency_ms, &now.latency_ms);
            row(
                "accepted → persisted p50",
                "ms",
                then.p50,
                now.p50,
                false,
                true,
            );
            row(
                "accepted → persisted p99",
                "ms",
                then.p99,
                now.p99,
                false,
                true,
            );
        }

        let mut notes = Vec::new();
        let like = |mode: &str, concurrency: usize, rate: Option<f64>| match rate {
            Some(rate) => format!("{mode} loop at {rate} orders/s, concurrency {concurrency}"),
            None => format!("{mode} loop, concurrency {concurrency}"),
        };
        let (was, is) = (
            like(&previous.mode, previous.concurrency, previous.rate),
            like(summary.mode, summary.concurrency, summary.rate),
        );
        if was != is {
            notes.push(format!(
                "not like for like: the baseline ran {was}, this run {is}"
            ));
        }
        if previous.e2e.is_some() != summary.e2e.is_some() {
            notes.push("only one of the two runs has --e2e figures".to_owned());
        }
        Self {
            file: file.to_owned(),
            max_regression_percent: max_regression,
            rows,
            notes,
            latency_ms: previous.latency_ms,
        }
    }

    /// A line per regressed metric, for the run's failures.
    pub(crate) fn failures(&self) -> Vec<String> {
        let max = self.max_regression_percent.unwrap_or(f64::INFINITY);
        self.rows
            .iter()
            .filter(|r| r.regressed)
            .map(|r| {
                format!(
                    "{} regressed {:.1} % against the baseline ({} → {} {}), more than --max-regression {max} %",
                    r.metric,
                    r.regression_percent.unwrap_or_default(),
                    figure(r.baseline),
                    figure(r.current),
                    r.unit
                )
            })
            .collect()
    }

    /// The table a person reads.
    pub(crate) fn table(&self) -> String {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header([
            format!("against {}", self.file),
            "baseline".into(),
            "this run".into(),
            "change".into(),
            String::new(),
        ]);
        for r in &self.rows {
            let change = r
                .change_percent
                .map_or_else(|| "-".to_owned(), |c| format!("{c:+.1} %"));
            table.add_row([
                format!("{} ({})", r.metric, r.unit),
                figure(r.baseline),
                figure(r.current),
                change,
                verdict(r).to_owned(),
            ]);
        }
        for i in 1..=3 {
            if let Some(column) = table.column_mut(i) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        let mut out = table.to_string();
        for note in &self.notes {
            out.push_str(&format!("\nnote: {note}"));
        }
        out
    }
}

/// `better`, `worse`, `REGRESSED` or nothing for an unchanged or ungated metric.
pub(crate) fn verdict(row: &Row) -> &'static str {
    match row.regression_percent {
        _ if row.regressed => "REGRESSED",
        Some(r) if r < -0.05 => "better",
        Some(r) if r > 0.05 => "worse",
        _ => "",
    }
}

/// A figure with the precision it deserves.
pub(crate) fn figure(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn previous(throughput: f64, p99: f64) -> Previous {
        serde_json::from_value(json!({
            "version": 1, "mode": "closed", "concurrency": 64, "rate": null,
            "throughput": throughput, "errorRate": 0.0,
            "latencyMs": {"min": 1.0, "p50": 5.0, "p90": 8.0, "p99": p99, "p999": 20.0, "max": 30.0, "mean": 5.5},
            "e2e": null, "other": "fields are ignored"
        }))
        .unwrap()
    }

    fn summary(throughput: f64, p99: f64) -> Summary {
        let mut summary = Summary::for_tests();
        summary.throughput = throughput;
        summary.latency_ms.p50 = 5.0;
        summary.latency_ms.p90 = 8.0;
        summary.latency_ms.p99 = p99;
        summary
    }

    #[test]
    fn a_regression_past_the_limit_fails_and_an_improvement_does_not() {
        let comparison = Comparison::new(
            &previous(1000.0, 10.0),
            &summary(850.0, 10.5),
            "b.json",
            Some(10.0),
        );
        let throughput = &comparison.rows[0];
        assert_eq!(throughput.change_percent, Some(-15.0));
        assert_eq!(throughput.regression_percent, Some(15.0));
        assert!(throughput.regressed);
        let p99 = comparison
            .rows
            .iter()
            .find(|r| r.metric == "request p99")
            .unwrap();
        assert!((p99.regression_percent.unwrap() - 5.0).abs() < 1e-9);
        assert!(!p99.regressed, "5 % is within 10 %");
        let failures = comparison.failures();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].starts_with("throughput regressed 15.0 %"),
            "{}",
            failures[0]
        );

        let better = Comparison::new(
            &previous(1000.0, 10.0),
            &summary(2000.0, 5.0),
            "b.json",
            Some(1.0),
        );
        assert!(better.failures().is_empty());
        assert_eq!(verdict(&better.rows[0]), "better");
        assert!(better.table().contains("+100.0 %"), "{}", better.table());
    }

    #[test]
    fn without_a_limit_nothing_fails_and_unlike_runs_are_noted() {
        let mut now = summary(10.0, 100.0);
        now.mode = "open";
        now.rate = Some(500.0);
        let comparison = Comparison::new(&previous(1000.0, 10.0), &now, "b.json", None);
        assert!(comparison.failures().is_empty());
        assert!(
            comparison.notes[0].starts_with("not like for like"),
            "{:?}",
            comparison.notes
        );
    }
}
