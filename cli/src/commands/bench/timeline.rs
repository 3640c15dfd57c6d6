//! The run second by second, for the HTML report's charts: requests answered in each
//! second of the run (by outcome) and their latency distribution.
//!
//! The summary's figures say how the run went as a whole; these say how it went over
//! time (a slow start, a stall in the middle, latency creeping up as a backlog grows).
//! Recording is one uncontended lock and one histogram increment per request, on the
//! load's own single-threaded runtime: small next to the request itself.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::time::Duration;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Accepted,
    ClientError,
    ServerError,
    TransportError,
}

/// One second of the run: the measured requests answered in it.
#[derive(Debug, Clone)]
pub(crate) struct Second {
    pub(crate) accepted: u64,
    pub(crate) client_errors: u64,
    pub(crate) server_errors: u64,
    pub(crate) transport_errors: u64,
    /// Warm-up requests answered in this second (left out of everything else).
    pub(crate) warmup: u64,
    /// Microseconds, two significant digits: enough for a chart, small per second.
    pub(crate) latency: Histogram<u32>,
}

impl Second {
    fn new() -> Self {
        Self {
            accepted: 0,
            client_errors: 0,
            server_errors: 0,
            transport_errors: 0,
            warmup: 0,
            // Two significant digits is a valid precision: this cannot fail.
            latency: Histogram::new(2).unwrap_or_else(|e| unreachable!("{e}")),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    pub(crate) seconds: Vec<Second>,
}

impl Timeline {
    /// A request answered `at` after the load started, after `latency`.
    pub(crate) fn record(
        &mut self,
        at: Duration,
        latency_micros: u64,
        answer: Answer,
        measured: bool,
    ) {
        let index = at.as_secs() as usize;
        while self.seconds.len() <= index {
            self.seconds.push(Second::new());
        }
        let second = &mut self.seconds[index];
        if !measured {
            second.warmup += 1;
            return;
        }
        match answer {
            Answer::Accepted => second.accepted += 1,
            Answer::ClientError => second.client_errors += 1,
            Answer::ServerError => second.server_errors += 1,
            Answer::TransportError => second.transport_errors += 1,
        }
        // `record` grows the histogram as needed (`saturating_record` would not).
        let micros = latency_micros.max(1);
        if second.latency.record(micros).is_err() {
            second.latency.saturating_record(micros);
        }
    }

    /// The series the report charts and embeds.
    pub(crate) fn series(&self) -> Series {
        let quantile = |s: &Second, q: f64| {
            (!s.latency.is_empty()).then(|| s.latency.value_at_quantile(q) as f64 / 1e3)
        };
        Series {
            second: (0..self.seconds.len() as u64).collect(),
            accepted: self.seconds.iter().map(|s| s.accepted).collect(),
            client_errors: self.seconds.iter().map(|s| s.client_errors).collect(),
            server_errors: self.seconds.iter().map(|s| s.server_errors).collect(),
            transport_errors: self.seconds.iter().map(|s| s.transport_errors).collect(),
            warmup: self.seconds.iter().map(|s| s.warmup).collect(),
            p50_ms: self.seconds.iter().map(|s| quantile(s, 0.50)).collect(),
            p90_ms: self.seconds.iter().map(|s| quantile(s, 0.90)).collect(),
            p99_ms: self.seconds.iter().map(|s| quantile(s, 0.99)).collect(),
        }
    }
}

/// Per second of the run (index = seconds since the load started).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Series {
    pub(crate) second: Vec<u64>,
    /// Accepted orders answered in that second: the throughput.
    pub(crate) accepted: Vec<u64>,
    pub(crate) client_errors: Vec<u64>,
    pub(crate) server_errors: Vec<u64>,
    pub(crate) transport_errors: Vec<u64>,
    pub(crate) warmup: Vec<u64>,
    /// Request latency of the measured requests answered in that second; null when
    /// none was.
    pub(crate) p50_ms: Vec<Option<f64>>,
    pub(crate) p90_ms: Vec<Option<f64>>,
    pub(crate) p99_ms: Vec<Option<f64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_the_second_they_were_answered_in() {
        let mut timeline = Timeline::default();
        timeline.record(Duration::from_millis(200), 1_000, Answer::Accepted, false);
        timeline.record(Duration::from_millis(1_500), 2_000, Answer::Accepted, true);
        timeline.record(
            Duration::from_millis(1_900),
            4_000,
            Answer::ServerError,
            true,
        );
        timeline.record(
            Duration::from_millis(3_100),
            8_000,
            Answer::TransportError,
            true,
        );
        let series = timeline.series();
        assert_eq!(series.second, vec![0, 1, 2, 3]);
        assert_eq!(series.accepted, vec![0, 1, 0, 0]);
        assert_eq!(series.server_errors, vec![0, 1, 0, 0]);
        assert_eq!(series.transport_errors, vec![0, 0, 0, 1]);
        assert_eq!(series.warmup, vec![1, 0, 0, 0]);
        assert_eq!(series.p50_ms[0], None, "warm-up is not measured");
        assert_eq!(series.p50_ms[2], None);
        let p99 = series.p99_ms[1].unwrap();
        assert!((3.9..=4.1).contains(&p99), "{p99}");
    }
}
