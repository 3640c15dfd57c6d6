//! One round of reading: every service's `/readyz`, `/metrics` and `/stats` as its spec
//! needs them, every group's lag, and every dead-letter topic's size and newest record.
//!
//! Everything is read from outside, as any operator's tool would: nothing here adds
//! work to the services' hot path, and no consumer group is ever joined. Whatever
//! cannot be read this round (a service down, a broker that does not answer) becomes a
//! value that says so, never an error that ends the dashboard.

use super::prometheus::Scrape;
use super::targets::{GroupSpec, ServiceSpec, Source, Targets};
use chrono::{DateTime, Utc};
use futures::future::join_all;
use orders_kafka::dead_letter::headers;
use orders_kafka::lag::{self, GroupLag};
use orders_kafka::{KafkaConfig, ReceivedRecord, admin, reader};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What one round read.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub(crate) at: Instant,
    pub(crate) taken: DateTime<Utc>,
    /// In the order of [`Targets::services`].
    pub(crate) services: Vec<ServiceReading>,
    /// In the order of [`Targets::groups`].
    pub(crate) groups: Vec<Result<GroupLag, String>>,
    /// In the order of [`Targets::dead_letter_topics`].
    pub(crate) dead_letters: Vec<Result<DeadLetterReading, String>>,
}

/// Whether a service answers and is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Health {
    Ready,
    /// It answers, but `/readyz` says it is not ready, and why.
    NotReady(String),
    /// It does not answer; why.
    Down(String),
}

/// One service, this round.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServiceReading {
    pub(crate) health: Health,
    /// Totals since the service started; `None` when they could not be read.
    pub(crate) work: Option<f64>,
    pub(crate) errors: Option<f64>,
    /// The latency histogram's cumulative buckets (seconds), when the spec has one.
    pub(crate) latency: Vec<(f64, f64)>,
    /// Answers by status code, when the spec asks for them.
    pub(crate) answers: BTreeMap<String, f64>,
    /// The service's `/stats` document, when its spec reads it.
    pub(crate) stats: Option<Value>,
}

impl ServiceReading {
    pub(crate) fn down(reason: impl Into<String>) -> Self {
        Self {
            health: Health::Down(reason.into()),
            work: None,
            errors: None,
            latency: Vec::new(),
            answers: BTreeMap::new(),
            stats: None,
        }
    }
}

/// A dead-letter topic, this round.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeadLetterReading {
    /// Records in the log, over every partition.
    pub(crate) count: i64,
    /// Why the newest record was set aside, when there is one and it could be read.
    pub(crate) newest: Option<Reason>,
}

/// Why a record was dead-lettered, from its `dlt-*` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reason {
    pub(crate) kind: String,
    pub(crate) message: String,
    pub(crate) at: Option<DateTime<Utc>>,
    /// `topic/partition@offset` of the dead-lettered record.
    pub(crate) position: String,
}

impl Reason {
    fn of(record: &ReceivedRecord) -> Self {
        let text = |key: &str| {
            record
                .header(key)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default()
        };
        Self {
            kind: text(headers::ERROR_KIND),
            message: text(headers::ERROR_MESSAGE),
            at: record
                .timestamp_ms
                .and_then(DateTime::from_timestamp_millis),
            position: record.position(),
        }
    }
}

/// Reads rounds, remembering what it needs between them (the dead-letter topics'
/// partitions and ends, so the newest record is read only when one was added).
#[derive(Debug)]
pub(crate) struct Collector {
    targets: Targets,
    http: reqwest::Client,
    dead_letters: Vec<DeadLetterTopic>,
}

#[derive(Debug, Default)]
struct DeadLetterTopic {
    partitions: Option<Vec<i32>>,
    /// High watermark per partition at the last round.
    ends: BTreeMap<i32, i64>,
    newest: Option<Reason>,
}

impl Collector {
    pub(crate) fn new(targets: Targets) -> anyhow::Result<Self> {
        let http = crate::security::client_builder(reqwest::Client::builder())?
            .timeout(targets.timeout)
            .connect_timeout(targets.timeout)
            .build()?;
        let dead_letters = targets
            .dead_letter_topics
            .iter()
            .map(|_| DeadLetterTopic::default())
            .collect();
        Ok(Self {
            targets,
            http,
            dead_letters,
        })
    }

    /// Reads everything once, all of it at the same time.
    pub(crate) async fn sample(&mut self) -> Sample {
        let at = Instant::now();
        let taken = Utc::now();
        let kafka = self.targets.kafka.with_client_id("orders-dash");
        let timeout = self.targets.timeout;
        let services = join_all(
            self.targets
                .services
                .iter()
                .map(|spec| read_service(&self.http, spec)),
        );
        let groups = join_all(
            self.targets
                .groups
                .iter()
                .map(|spec| read_group(&kafka, spec, timeout)),
        );
        let dead_letters = join_all(
            self.targets
                .dead_letter_topics
                .iter()
                .zip(self.dead_letters.iter_mut())
                .map(|(topic, known)| read_dead_letters(&kafka, topic, known, timeout)),
        );
        let (services, groups, dead_letters) = tokio::join!(services, groups, dead_letters);
        Sample {
            at,
            taken,
            services,
            groups,
            dead_letters,
        }
    }
}

async fn read_service(http: &reqwest::Client, spec: &ServiceSpec) -> ServiceReading {
    let needs_metrics = [&spec.work, &spec.errors]
        .iter()
        .any(|s| matches!(s, Source::Metric(_)))
        || spec.latency.is_some()
        || spec.answers.is_some();
    let needs_stats = [&spec.work, &spec.errors]
        .iter()
        .any(|s| matches!(s, Source::Stats(_)));
    let get = |path: &str| {
        let url = format!("{}{path}", spec.base_url);
        // The admin token goes to the admin data (/stats) only.
        let request = match path {
            "/stats" => crate::security::with_admin_token(http.get(&url)),
            _ => http.get(&url),
        };
        async move {
            let response = request.send().await.map_err(describe)?;
            let status = response.status();
            let body = response.text().await.map_err(describe)?;
            Ok::<_, String>((status, body))
        }
    };
    let (ready, metrics, stats) = tokio::join!(
        get("/readyz"),
        async {
            match needs_metrics {
                true => Some(get("/metrics").await),
                false => None,
            }
        },
        async {
            match needs_stats {
                true => Some(get("/stats").await),
                false => None,
            }
        },
    );
    let health = match ready {
        Err(reason) => return ServiceReading::down(reason),
        Ok((status, _)) if status.is_success() => Health::Ready,
        Ok((status, body)) => Health::NotReady(not_ready_reason(status, &body)),
    };
    let scrape = match metrics {
        Some(Ok((status, body))) if status.is_success() => Some(Scrape::parse(&body)),
        _ => None,
    };
    let stats = match stats {
        Some(Ok((status, body))) if status.is_success() => serde_json::from_str(&body).ok(),
        _ => None,
    };
    let read = |source: &Source| match source {
        Source::Metric(selector) => scrape.as_ref().map(|s| s.sum(selector).unwrap_or(0.0)),
        Source::Stats(fields) => stats.as_ref().and_then(|stats: &Value| {
            fields
                .iter()
                .map(|field| stats.get(field).and_then(Value::as_f64))
                .sum::<Option<f64>>()
        }),
    };
    ServiceReading {
        health,
        work: read(&spec.work),
        errors: read(&spec.errors),
        latency: match (&scrape, &spec.latency) {
            (Some(scrape), Some(selector)) => scrape.buckets(selector),
            _ => Vec::new(),
        },
        answers: match (&scrape, &spec.answers) {
            (Some(scrape), Some(selector)) => scrape.sum_by(selector, "status"),
            _ => BTreeMap::new(),
        },
        stats,
    }
}

/// `/readyz`'s own explanation (`{"error": "..."}`), else its status.
fn not_ready_reason(status: reqwest::StatusCode, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| format!("/readyz answered {status}"))
}

/// A failed request in a few words: "connection refused", "timed out".
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let mut cause: &dyn std::error::Error = &error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let text = cause.to_string();
    if text.to_lowercase().contains("connection refused") {
        "connection refused".into()
    } else {
        text
    }
}

async fn read_group(
    kafka: &KafkaConfig,
    spec: &GroupSpec,
    timeout: Duration,
) -> Result<GroupLag, String> {
    lag::group_lag(kafka, &spec.group, &spec.topic, timeout)
        .await
        .map_err(|e| e.to_string())
}

async fn read_dead_letters(
    kafka: &KafkaConfig,
    topic: &str,
    known: &mut DeadLetterTopic,
    timeout: Duration,
) -> Result<DeadLetterReading, String> {
    let partitions = match &known.partitions {
        Some(partitions) => partitions.clone(),
        None => {
            let partitions = admin::partitions(kafka, topic, timeout)
                .await
                .map_err(|e| e.to_string())?;
            known.partitions = Some(partitions.clone());
            partitions
        }
    };
    let ends = join_all(
        partitions
            .iter()
            .map(|&p| reader::watermarks(kafka, topic, p, timeout)),
    )
    .await;
    let mut count = 0;
    let mut grown = Vec::new();
    for (&partition, end) in partitions.iter().zip(ends) {
        let (low, high) = end.map_err(|e| {
            // The topic may have been recreated with other partitions: ask again next time.
            known.partitions = None;
            e.to_string()
        })?;
        count += high - low;
        if high > low && known.ends.get(&partition) != Some(&high) {
            grown.push((partition, high));
        } else {
            known.ends.insert(partition, high);
        }
    }
    let records = join_all(
        grown
            .iter()
            .map(|&(p, high)| reader::read_at(kafka, topic, p, high - 1, timeout)),
    )
    .await;
    let mut newest: Option<ReceivedRecord> = None;
    for (&(partition, high), record) in grown.iter().zip(records) {
        // A partition whose newest record could not be read is read again next round.
        let Ok(record) = record else { continue };
        known.ends.insert(partition, high);
        if let Some(record) = record
            && newest
                .as_ref()
                .is_none_or(|n| n.timestamp_ms <= record.timestamp_ms)
        {
            newest = Some(record);
        }
    }
    if let Some(record) = newest {
        let reason = Reason::of(&record);
        if known.newest.as_ref().is_none_or(|n| n.at <= reason.at) {
            known.newest = Some(reason);
        }
    }
    Ok(DeadLetterReading {
        count,
        newest: known.newest.clone(),
    })
}
