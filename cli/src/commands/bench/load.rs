//! Driving the load: `concurrency` workers share one counter of orders to send.
//!
//! Closed loop (no `--rate`): each worker sends its next order as soon as the previous
//! one is answered, and latency is the request's own time. Open loop (`--rate R`): order
//! `i` is due at `start + i/R` whatever happened before, and its latency counts from that
//! moment, so time spent waiting for a free worker (the gateway being slow) shows in the
//! percentiles instead of being silently skipped (coordinated omission).

use super::timeline::{Answer, Timeline};
use super::workload::Workload;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use indicatif::ProgressBar;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// What to send and how.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Measured orders, after the warm-up; `None` with a duration.
    pub(crate) requests: Option<u64>,
    pub(crate) duration: Option<Duration>,
    pub(crate) concurrency: usize,
    pub(crate) rate: Option<f64>,
    pub(crate) warmup: u64,
}

/// One order the gateway accepted.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub(crate) correlation_id: String,
    pub(crate) accepted_at: DateTime<Utc>,
}

/// Everything the workers saw.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) sent: u64,
    pub(crate) accepted: u64,
    pub(crate) client_errors: u64,
    pub(crate) server_errors: u64,
    pub(crate) transport_errors: u64,
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// Microseconds, measured requests only.
    pub(crate) latency: Histogram<u64>,
    /// From the first measured request to the last answer.
    pub(crate) elapsed: Duration,
    /// Every accepted order, warm-up included (they must be persisted too); the
    /// counters and latencies above are of measured orders only.
    pub(crate) ledger: Vec<Accepted>,
    pub(crate) ended_at: DateTime<Utc>,
    /// When the load started (second 0 of the timeline).
    pub(crate) started_at: DateTime<Utc>,
    /// Second by second, for the HTML report.
    pub(crate) timeline: Timeline,
    /// A few distinct error messages, for the report.
    pub(crate) errors: Vec<String>,
}

impl Outcome {
    fn new() -> Self {
        Self {
            sent: 0,
            accepted: 0,
            client_errors: 0,
            server_errors: 0,
            transport_errors: 0,
            statuses: BTreeMap::new(),
            latency: new_histogram(),
            elapsed: Duration::ZERO,
            ledger: Vec::new(),
            ended_at: Utc::now(),
            started_at: Utc::now(),
            timeline: Timeline::default(),
            errors: Vec::new(),
        }
    }

    fn merge(&mut self, other: Outcome) {
        self.sent += other.sent;
        self.accepted += other.accepted;
        self.client_errors += other.client_errors;
        self.server_errors += other.server_errors;
        self.transport_errors += other.transport_errors;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        self.ledger.extend(other.ledger);
        for error in other.errors {
            self.note_error(error);
        }
    }

    fn note_error(&mut self, error: String) {
        if self.errors.len() < 5 && !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }

    pub(crate) fn errors_total(&self) -> u64 {
        self.client_errors + self.server_errors + self.transport_errors
    }
}

/// Microseconds from 1 µs to 10 minutes, 3 significant digits.
pub(crate) fn new_histogram() -> Histogram<u64> {
    // Valid bounds (1 <= low, high >= 2 * low, sigfig <= 5) never fail.
    Histogram::new_with_bounds(1, 600_000_000, 3).unwrap_or_else(|e| unreachable!("{e}"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AcceptedBody {
    correlation_id: String,
}

struct Shared {
    gateway: Gateway,
    timeout: Duration,
    workload: Workload,
    /// Bodies made before the clock starts, when the number of orders is known.
    bodies: Option<Vec<Bytes>>,
    plan: Plan,
    next: AtomicU64,
    start: Instant,
    /// Nanoseconds after `start` when the first measured order was taken.
    measure_from: AtomicU64,
    progress: ProgressBar,
    errors: AtomicU64,
    timeline: Mutex<Timeline>,
}

/// [`run`] on a thread of its own with a single-threaded runtime: the load tool shares
/// the machine with what it measures, and one event loop with no cross-thread wake-ups
/// (wrk's design) costs it the least CPU per request.
pub(crate) async fn run_on_own_thread(
    gateway: Gateway,
    timeout: Duration,
    workload: Workload,
    plan: Plan,
    progress: ProgressBar,
) -> anyhow::Result<Outcome> {
    let (done, outcome) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("bench-load".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let outcome =
                runtime.map(|rt| rt.block_on(run(gateway, timeout, workload, plan, progress)));
            let _ = done.send(outcome);
        })?;
    Ok(outcome.await??)
}

/// Sends the plan's orders to `gateway` and collects what happened.
pub(crate) async fn run(
    gateway: Gateway,
    timeout: Duration,
    workload: Workload,
    plan: Plan,
    progress: ProgressBar,
) -> Outcome {
    let bodies = plan.requests.map(|n| {
        (0..n + plan.warmup)
            .map(|i| Bytes::from(workload.body(i)))
            .collect()
    });
    let started_at = Utc::now();
    let shared = Arc::new(Shared {
        gateway,
        timeout,
        workload,
        bodies,
        measure_from: AtomicU64::new(if plan.warmup == 0 { 0 } else { u64::MAX }),
        plan,
        next: AtomicU64::new(0),
        start: Instant::now(),
        progress,
        errors: AtomicU64::new(0),
        timeline: Mutex::new(Timeline::default()),
    });
    let workers: Vec<_> = (0..shared.plan.concurrency)
        .map(|_| tokio::spawn(worker(shared.clone())))
        .collect();
    let mut outcome = Outcome::new();
    for worker in workers {
        match worker.await {
            Ok(part) => outcome.merge(part),
            Err(error) => outcome.note_error(format!("a load worker failed: {error}")),
        }
    }
    let end = Instant::now();
    let measure_from = shared.start
        + Duration::from_nanos(
            shared
                .measure_from
                .load(Ordering::Relaxed)
                .min(u64::MAX / 2),
        );
    outcome.elapsed = end.saturating_duration_since(measure_from);
    outcome.ended_at = Utc::now();
    outcome.started_at = started_at;
    outcome.timeline =
        std::mem::take(&mut *shared.timeline.lock().unwrap_or_else(|p| p.into_inner()));
    outcome
}

async fn worker(shared: Arc<Shared>) -> Outcome {
    let mut connection = Connection::new(shared.gateway.clone());
    let mut outcome = Outcome::new();
    let mut warmup = Outcome::new();
    let plan = &shared.plan;
    let total = plan.requests.map(|n| n + plan.warmup);
    let deadline = plan.duration.map(|d| shared.start + d);
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if total.is_some_and(|total| i >= total) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        // When it is due: now (closed loop) or on the schedule (open loop).
        let due = match plan.rate {
            Some(rate) => {
                let due = shared.start + Duration::from_secs_f64(i as f64 / rate);
                if deadline.is_some_and(|d| due >= d) {
                    break;
                }
                tokio::time::sleep_until(due).await;
                due
            }
            None => Instant::now(),
        };
        let measured = i >= plan.warmup;
        if i == plan.warmup && plan.warmup > 0 {
            let since = due.saturating_duration_since(shared.start).as_nanos() as u64;
            shared.measure_from.store(since, Ordering::Relaxed);
        }
        let body = match &shared.bodies {
            Some(bodies) => bodies[i as usize].clone(),
            None => Bytes::from(shared.workload.body(i)),
        };
        let result = match tokio::time::timeout(shared.timeout, connection.post(body)).await {
            Ok(result) => result,
            Err(_) => {
                // The connection's state is unknown after a timeout: start a new one.
                connection.close();
                Err(format!("no answer within {:?}", shared.timeout))
            }
        };
        let latency = Instant::now().saturating_duration_since(due);
        let accepted_at = Utc::now();
        // Warm-up orders count only in the ledger: they must be persisted like the rest.
        let counted = if measured { &mut outcome } else { &mut warmup };
        let errors_before = counted.errors_total();
        let (client_before, server_before, transport_before) = (
            counted.client_errors,
            counted.server_errors,
            counted.transport_errors,
        );
        counted.sent += 1;
        counted
            .latency
            .saturating_record(latency.as_micros().max(1) as u64);
        match result {
            Ok((202, body)) => match serde_json::from_slice::<AcceptedBody>(&body) {
                Ok(accepted) => {
                    counted.accepted += 1;
                    counted.ledger.push(Accepted {
                        correlation_id: accepted.correlation_id,
                        accepted_at,
                    });
                }
                Err(error) => {
                    counted.server_errors += 1;
                    counted.note_error(format!("202 without a correlationId: {error}"));
                }
            },
            Ok((status, body)) => {
                *counted.statuses.entry(status).or_default() += 1;
                if status >= 500 {
                    counted.server_errors += 1;
                } else {
                    counted.client_errors += 1;
                }
                counted.note_error(format!(
                    "{status}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ));
            }
            Err(error) => {
                counted.transport_errors += 1;
                counted.note_error(format!("transport: {error}"));
            }
        }
        let answer = if counted.transport_errors > transport_before {
            Answer::TransportError
        } else if counted.server_errors > server_before {
            Answer::ServerError
        } else if counted.client_errors > client_before {
            Answer::ClientError
        } else {
            Answer::Accepted
        };
        shared
            .timeline
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record(
                Instant::now().saturating_duration_since(shared.start),
                latency.as_micros() as u64,
                answer,
                measured,
            );
        if counted.errors_total() > errors_before {
            let errors = shared.errors.fetch_add(1, Ordering::Relaxed) + 1;
            shared.progress.set_message(format!("{errors} errors"));
        }
        shared.progress.inc(1);
    }
    outcome.ledger.append(&mut warmup.ledger);
    outcome
}

/// Where the gateway is: `host:port` to connect to, and the `Host` header to send.
#[derive(Debug, Clone)]
pub(crate) struct Gateway {
    authority: String,
    path: String,
    /// `ORDERS_API_KEY`, for a gateway that requires keys.
    api_key: Option<hyper::header::HeaderValue>,
}

impl Gateway {
    /// Parses `http://host:port` (with an optional path prefix).
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| format!("invalid gateway URL {url:?}: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "orders bench drives plain http:// gateways, got {url:?}"
            ));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| format!("no host in {url:?}"))?;
        let port = authority.port_u16().unwrap_or(80);
        let api_key = crate::security::ClientSecrets::from_env()
            .map_err(|e| e.to_string())?
            .api_key
            .map(|key| hyper::header::HeaderValue::from_str(key.expose()))
            .transpose()
            .map_err(|_| "ORDERS_API_KEY is not a valid header value".to_owned())?
            .map(|mut key| {
                key.set_sensitive(true);
                key
            });
        Ok(Self {
            authority: format!("{}:{port}", authority.host()),
            path: format!("{}/orders", uri.path().trim_end_matches('/')),
            api_key,
        })
    }
}

/// One keep-alive HTTP/1.1 connection per worker, as a load tool opens them (wrk does
/// the same): no pool to share and lock, so the tool stays cheap next to what it
/// measures. A broken connection is reopened for the next request.
struct Connection {
    gateway: Gateway,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Connection {
    fn new(gateway: Gateway) -> Self {
        Self {
            gateway,
            sender: None,
        }
    }

    fn close(&mut self) {
        self.sender = None;
    }

    async fn open(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        let stream = tokio::net::TcpStream::connect(&self.gateway.authority)
            .await
            .map_err(|e| format!("connect to {}: {e}", self.gateway.authority))?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(sender)
    }

    /// POSTs one order and returns the status and body.
    async fn post(&mut self, body: Bytes) -> Result<(u16, Bytes), String> {
        let mut sender = match self.sender.take() {
            Some(sender) if !sender.is_closed() => sender,
            _ => self.open().await?,
        };
        sender.ready().await.map_err(|e| e.to_string())?;
        let mut request = hyper::Request::post(self.gateway.path.as_str())
            .header(hyper::header::HOST, self.gateway.authority.as_str())
            .header(hyper::header::CONTENT_TYPE, "application/json");
        if let Some(key) = &self.gateway.api_key {
            request = request.header("x-api-key", key.clone());
        }
        let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        self.sender = Some(sender);
        Ok((status, body))
    }
}
