//! What the order-service has done and whether it is healthy, for the admin port.
//!
//! Counters are plain atomics: the worker bumps them once per batch, the admin HTTP
//! reads them. `failing` holds the last error of an operation that is being retried;
//! while it is set the service is not ready. Each counter is mirrored in the Prometheus
//! registry (`orders_events_*_total`, see docs/observability.md).

use orders_core::Inserted;
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Status {
    received: AtomicU64,
    created: AtomicU64,
    duplicates: AtomicU64,
    rejected: AtomicU64,
    retries: AtomicU64,
    failing: Mutex<Option<String>>,
}

/// A snapshot of the counters, as `GET /stats` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Records read from the topic.
    pub received: u64,
    /// Orders created.
    pub created: u64,
    /// Events whose order already existed (redeliveries), left alone.
    pub duplicates: u64,
    /// Records set aside as invalid (dead-lettered when a dead-letter topic is set).
    pub rejected: u64,
    /// Attempts that failed and were retried (database or broker unavailable).
    pub retries: u64,
    /// The failure being retried right now, if any.
    pub failing: Option<String>,
}

impl Status {
    pub(crate) fn received(&self, n: usize) {
        self.received.fetch_add(n as u64, Ordering::Relaxed);
        metrics::counter!("orders_events_received_total").increment(n as u64);
    }

    pub(crate) fn persisted(&self, inserted: Inserted) {
        self.created
            .fetch_add(inserted.created as u64, Ordering::Relaxed);
        self.duplicates
            .fetch_add(inserted.duplicates as u64, Ordering::Relaxed);
        metrics::counter!("orders_orders_created_total").increment(inserted.created as u64);
        metrics::counter!("orders_events_duplicate_total").increment(inserted.duplicates as u64);
    }

    pub(crate) fn rejected(&self, kind: &'static str) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("orders_events_rejected_total", "kind" => kind).increment(1);
    }

    pub(crate) fn failing(&self, operation: &'static str, error: String) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("orders_retries_total", "operation" => operation).increment(1);
        let failure = format!("{operation}: {error}");
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = Some(failure);
    }

    pub(crate) fn recovered(&self) {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub fn failure(&self) -> Option<String> {
        self.failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn counters(&self) -> Counters {
        Counters {
            received: self.received.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            failing: self.failure(),
        }
    }
}
