//! What a service has done and whether it is healthy, for its admin port.
//!
//! Counters are atomics bumped once per batch and read by the admin HTTP. `failing` holds
//! the last error of an operation being retried; while it is set the service is not
//! ready. Each counter is mirrored in the Prometheus registry with a `service` label, so
//! that `orders up`, which runs every service in one process, keeps them apart.

use crate::handler::Counter;
use orders_core::api::Stats;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug)]
pub struct Status {
    service: &'static str,
    received: AtomicU64,
    rejected: AtomicU64,
    retries: AtomicU64,
    failing: Mutex<Option<String>>,
    counters: &'static [Counter],
    counts: Vec<AtomicU64>,
}

impl Status {
    pub fn new(service: &'static str, counters: &'static [Counter]) -> Self {
        Self {
            service,
            received: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            failing: Mutex::new(None),
            counters,
            counts: counters.iter().map(|_| AtomicU64::new(0)).collect(),
        }
    }

    pub fn service(&self) -> &'static str {
        self.service
    }

    pub(crate) fn received(&self, n: usize) {
        self.received.fetch_add(n as u64, Ordering::Relaxed);
        metrics::counter!("orders_events_received_total", "service" => self.service)
            .increment(n as u64);
    }

    pub(crate) fn counted(&self, stat: &str, n: u64) {
        let Some(i) = self.counters.iter().position(|c| c.stat == stat) else {
            tracing::debug!(stat, "a count that the service did not declare");
            return;
        };
        self.counts[i].fetch_add(n, Ordering::Relaxed);
        metrics::counter!(self.counters[i].metric, "service" => self.service).increment(n);
    }

    pub(crate) fn rejected(&self, kind: &str) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(
            "orders_events_rejected_total",
            "service" => self.service,
            "kind" => kind.to_owned()
        )
        .increment(1);
    }

    pub(crate) fn failing(&self, operation: &'static str, error: String) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(
            "orders_retries_total",
            "service" => self.service,
            "operation" => operation
        )
        .increment(1);
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(format!("{operation}: {error}"));
    }

    pub(crate) fn recovered(&self) {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The failure being retried, if any.
    pub fn failure(&self) -> Option<String> {
        self.failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A snapshot, as `GET /stats` answers it.
    pub fn counters(&self) -> Stats {
        Stats {
            received: self.received.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            counts: self
                .counters
                .iter()
                .zip(&self.counts)
                .map(|(c, n)| (c.stat.to_owned(), n.load(Ordering::Relaxed)))
                .collect(),
            failing: self.failure(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static COUNTERS: [Counter; 2] = [
        Counter {
            stat: "created",
            metric: "orders_orders_created_total",
        },
        Counter {
            stat: "duplicates",
            metric: "orders_events_duplicate_total",
        },
    ];

    #[test]
    fn stats_list_the_runtime_counters_then_the_service_ones() {
        let status = Status::new("order-service", &COUNTERS);
        status.received(3);
        status.counted("created", 2);
        status.counted("duplicates", 1);
        status.counted("undeclared", 9);
        status.rejected("not_json");
        assert_eq!(
            serde_json::to_value(status.counters()).unwrap(),
            json!({"received": 3, "rejected": 1, "retries": 0, "created": 2,
                   "duplicates": 1, "failing": null})
        );
    }
}
