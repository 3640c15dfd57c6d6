//! `orders trace CORRELATION_ID`: one order's way through the pipeline, from the command
//! line.
//!
//! When something is wrong with one order, the questions are always the same: did the
//! gateway publish it, where, with which trace context, and has the order-service
//! persisted it, how long after? The order-service remembers the record each order came
//! from, so a persisted order's record is read back exactly; an order it does not have
//! (yet) is looked for on the topic by its key, which is the correlation id.
//!
//! Then the rest of its saga: every event about it on every topic of the pipeline (read
//! by its key), in time order with the time between them, and what each service holds
//! for it (the order's history, the inventory's reservation, the payment, what the
//! customer was told on each channel).
//!
//! Exit codes: 0 persisted; 3 on the topic but not persisted (yet), or the order-service
//! could not be asked; 1 found nowhere, or a failure.

use crate::cli::{KafkaArgs, ServiceUrls};
use crate::client::{self, Admin, Inventory, Notifications, Payments};
use crate::commands::tail;
use crate::duration::parse_duration;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use orders_core::api::{Notification, Payment, Reservation};
use orders_core::saga::EventKind;
use orders_core::time::{micros, millis};
use orders_core::{Order, OrderCreated};
use orders_kafka::ReceivedRecord;
use orders_kafka::reader;
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::Duration;

/// The exit code of an order that is on the topic but not (yet) in the order-service.
pub const NOT_PERSISTED: u8 = 3;

#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// The order's correlation id (the x-correlation-id, and the record key).
    #[arg(value_name = "CORRELATION_ID")]
    pub correlation_id: String,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    pub services: ServiceUrls,
    /// How long to read the topic for the order's key when the order-service does not
    /// have it (the whole topic, from the beginning of every partition).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub scan_timeout: Duration,
    /// How long the order-service and the broker may take to answer.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Print one JSON document instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// What the order-service said about the order.
enum Persisted {
    Yes(Box<Order>),
    No,
    /// It could not be asked; the reason.
    Unknown(String),
}

/// Where the record was found, and other records with the same key (client retries).
struct Found {
    record: Option<ReceivedRecord>,
    others: Vec<ReceivedRecord>,
    /// Why the record is missing, when it is.
    note: Option<String>,
}

pub async fn run(args: TraceArgs) -> anyhow::Result<ExitCode> {
    let id = args.correlation_id.as_str();
    let kafka = args.kafka.config("orders-trace");
    let admin = Admin::new(client::http_client(args.timeout)?, &args.services.admin);
    let persisted = match admin.order(id).await {
        Ok(Some(order)) => Persisted::Yes(Box::new(order)),
        Ok(None) => Persisted::No,
        Err(error) => Persisted::Unknown(format!("{error:#}")),
    };

    let source = match &persisted {
        Persisted::Yes(order) => order
            .source
            .as_ref()
            .map(|s| (s.topic.clone(), s.partition, s.offset)),
        _ => None,
    };
    let found = match source {
        Some((topic, partition, offset)) => {
            let record = reader::read_at(&kafka, &topic, partition, offset, args.timeout)
                .await
                .with_context(|| format!("cannot read {topic}/{partition}@{offset}"))?;
            let note = record.is_none().then(|| {
                format!(
                    "{topic}/{partition}@{offset} is no longer in the log (retention or compaction)"
                )
            });
            Found {
                record,
                others: Vec::new(),
                note,
            }
        }
        None => {
            let topic = &args.kafka.topic;
            let scan = reader::find_by_key(&kafka, topic, id.as_bytes(), args.scan_timeout)
                .await
                .with_context(|| format!("cannot read {topic}"))?;
            let mut records = scan.records.into_iter();
            let record = records.next();
            let note = record.is_none().then(|| {
                let how_far = if scan.complete {
                    "the whole topic"
                } else {
                    "stopped by --scan-timeout"
                };
                format!(
                    "no record on {topic} has this key (read {} records: {how_far})",
                    scan.scanned
                )
            });
            Found {
                record,
                others: records.collect(),
                note,
            }
        }
    };

    if found.record.is_none() && !matches!(persisted, Persisted::Yes(_)) {
        let service = match &persisted {
            Persisted::Unknown(error) => format!("the order-service could not be asked ({error})"),
            _ => "the order-service does not have it".to_owned(),
        };
        let note = found.note.unwrap_or_default();
        bail!("order {id} not found: {service}, and {note}");
    }

    let report = Report::new(id, &persisted, &found);
    let saga = Saga::read(&args, &kafka).await;
    if args.json {
        let mut document = report.to_json();
        if let Value::Object(fields) = &mut document {
            fields.insert("saga".into(), saga.to_json(report.created_at));
        }
        println!("{document}");
    } else {
        report.print();
        saga.print(report.created_at);
    }
    Ok(match persisted {
        Persisted::Yes(_) => ExitCode::SUCCESS,
        _ => ExitCode::from(NOT_PERSISTED),
    })
}

/// Everything known about one order, and the times between its steps.
struct Report<'a> {
    id: &'a str,
    persisted: &'a Persisted,
    found: &'a Found,
    created_at: Option<DateTime<Utc>>,
    on_topic_at: Option<DateTime<Utc>>,
    persisted_at: Option<DateTime<Utc>>,
}

impl<'a> Report<'a> {
    fn new(id: &'a str, persisted: &'a Persisted, found: &'a Found) -> Self {
        let order = match persisted {
            Persisted::Yes(order) => Some(order),
            _ => None,
        };
        // The event's own createdAt when the record is there, else the stored copy.
        let created_at = found
            .record
            .as_ref()
            .and_then(|r| r.value.as_deref())
            .and_then(|v| OrderCreated::from_json(v).ok())
            .map(|event| event.created_at)
            .or_else(|| order.map(|o| o.created_at));
        Self {
            id,
            persisted,
            found,
            created_at,
            on_topic_at: found
                .record
                .as_ref()
                .and_then(|r| r.timestamp_ms)
                .and_then(DateTime::from_timestamp_millis),
            persisted_at: order.map(|o| o.persisted_at),
        }
    }

    fn print(&self) {
        println!("order      {}", self.id);
        match &self.found.record {
            Some(record) => {
                println!("record     {}", record.position());
                if let Some(at) = self.on_topic_at {
                    println!("timestamp  {}", millis(at));
                }
                if let Some(key) = &record.key {
                    println!("key        {}", String::from_utf8_lossy(key));
                }
                for (name, value) in &record.headers {
                    println!("header     {name}: {}", String::from_utf8_lossy(value));
                }
                for other in &self.found.others {
                    println!(
                        "also       {} (same key: a retried request)",
                        other.position()
                    );
                }
            }
            None => println!(
                "record     not found: {}",
                self.found.note.as_deref().unwrap_or("")
            ),
        }
        match self.persisted {
            Persisted::Yes(order) => println!(
                "persisted  status {}  at {}",
                order.status,
                micros(order.persisted_at),
            ),
            Persisted::No => println!("persisted  no: the order-service does not have it (yet)"),
            Persisted::Unknown(error) => println!("persisted  unknown: {error}"),
        }
        let steps = [
            ("created", self.created_at),
            ("on topic", self.on_topic_at),
            ("persisted", self.persisted_at),
        ];
        let mut previous: Option<DateTime<Utc>> = None;
        for (name, at) in steps {
            let Some(at) = at else { continue };
            let label = if previous.is_none() { "timeline" } else { "" };
            let step = previous.map_or_else(String::new, |p| format!("  +{} ms", ms(p, at)));
            println!("{label:<10} {name:<10} {}{step}", millis(at));
            previous = Some(at);
        }
        if let (Some(from), Some(to)) = (self.created_at, self.persisted_at) {
            println!("{:<10} {:<10} {} ms", "", "total", ms(from, to));
        }
    }

    fn to_json(&self) -> Value {
        let record = self.found.record.as_ref().map(ReceivedRecord::to_json);
        let (order, order_service_error) = match self.persisted {
            Persisted::Yes(order) => (json!(order), Value::Null),
            Persisted::No => (Value::Null, Value::Null),
            Persisted::Unknown(error) => (Value::Null, json!(error)),
        };
        let between = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
            (Some(a), Some(b)) => json!(ms(a, b)),
            _ => Value::Null,
        };
        json!({
            "correlationId": self.id,
            "persisted": matches!(self.persisted, Persisted::Yes(_)),
            "record": record,
            "sameKey": self.found.others.iter().map(ReceivedRecord::to_json).collect::<Vec<_>>(),
            "recordNote": self.found.note,
            "order": order,
            "orderServiceError": order_service_error,
            "timeline": {
                "createdAt": self.created_at.map(millis),
                "onTopicAt": self.on_topic_at.map(millis),
                "persistedAt": self.persisted_at.map(micros),
                "createdToOnTopicMs": between(self.created_at, self.on_topic_at),
                "onTopicToPersistedMs": between(self.on_topic_at, self.persisted_at),
                "createdToPersistedMs": between(self.created_at, self.persisted_at),
            },
        })
    }
}

/// The order's saga after `order_created`: its events on the other topics, and what the
/// inventory and payment services hold for it.
struct Saga {
    /// Every event about the order, in time order.
    events: Vec<(EventKind, ReceivedRecord)>,
    /// Topics that could not be read, and why.
    unread: Vec<String>,
    reservation: Result<Option<Reservation>, String>,
    payment: Result<Option<Payment>, String>,
    /// One per outcome and channel.
    notifications: Result<Vec<Notification>, String>,
}

impl Saga {
    async fn read(args: &TraceArgs, kafka: &orders_kafka::KafkaConfig) -> Self {
        let id = args.correlation_id.as_str();
        let topics = args.kafka.topics();
        let scans = topics
            .events()
            .filter(|(kind, _)| *kind != EventKind::OrderCreated)
            .map(|(kind, topic)| async move {
                let scan =
                    reader::find_by_key(kafka, topic, id.as_bytes(), args.scan_timeout).await;
                (kind, topic, scan)
            });
        let mut events = Vec::new();
        let mut unread = Vec::new();
        for (kind, topic, scan) in futures::future::join_all(scans).await {
            match scan {
                Ok(scan) => {
                    if !scan.complete {
                        unread.push(format!("{topic}: stopped by --scan-timeout"));
                    }
                    events.extend(scan.records.into_iter().map(|r| (kind, r)));
                }
                Err(error) => unread.push(format!("{topic}: {error}")),
            }
        }
        events.sort_by_key(|(_, r)| (r.timestamp_ms, r.offset));
        let http = client::http_client(args.timeout);
        let (reservation, payment, notifications) = match http {
            Ok(http) => tokio::join!(
                async {
                    Inventory::new(http.clone(), &args.services.inventory)
                        .reservation(id)
                        .await
                        .map_err(|e| format!("{e:#}"))
                },
                async {
                    Payments::new(http.clone(), &args.services.payment)
                        .payment(id)
                        .await
                        .map_err(|e| format!("{e:#}"))
                },
                async {
                    Notifications::new(http.clone(), &args.services.notification)
                        .of_order(id)
                        .await
                        .map_err(|e| format!("{e:#}"))
                },
            ),
            Err(e) => (Err(e.to_string()), Err(e.to_string()), Err(e.to_string())),
        };
        Self {
            events,
            unread,
            reservation,
            payment,
            notifications,
        }
    }

    fn print(&self, created_at: Option<DateTime<Utc>>) {
        let mut previous = created_at;
        for (i, (kind, record)) in self.events.iter().enumerate() {
            let at = record
                .timestamp_ms
                .and_then(DateTime::from_timestamp_millis);
            let step = match (previous, at) {
                (Some(p), Some(a)) => format!("  +{} ms", ms(p, a)),
                _ => String::new(),
            };
            let label = if i == 0 { "saga" } else { "" };
            println!(
                "{label:<10} {:<18} {:<24} {}{step}",
                kind.as_str(),
                record.position(),
                at.map(millis).unwrap_or_default()
            );
            println!("{:<10} {:<18} {}", "", "", tail::summary(record, *kind));
            previous = at.or(previous);
        }
        for note in &self.unread {
            println!("unread     {note}");
        }
        match &self.reservation {
            Ok(Some(r)) => println!(
                "inventory  {}{}",
                r.status.as_str(),
                r.reason
                    .as_deref()
                    .map(|w| format!(": {w}"))
                    .unwrap_or_default()
            ),
            Ok(None) => println!("inventory  no reservation (yet)"),
            Err(error) => println!("inventory  unknown: {error}"),
        }
        match &self.payment {
            Ok(Some(p)) => println!(
                "payment    {} {}{}",
                p.status,
                p.amount,
                p.payment_id
                    .as_deref()
                    .or(p.reason.as_deref())
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            ),
            Ok(None) => println!("payment    none (yet)"),
            Err(error) => println!("payment    unknown: {error}"),
        }
        match &self.notifications {
            Ok(list) if list.is_empty() => println!("notified   nothing (yet)"),
            Ok(list) => {
                for (i, n) in list.iter().enumerate() {
                    let label = if i == 0 { "notified" } else { "" };
                    let why = n
                        .reason
                        .as_deref()
                        .or(n.last_error.as_deref())
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default();
                    let when = n
                        .sent_at
                        .map(|t| format!(" at {}", millis(t)))
                        .unwrap_or_default();
                    println!(
                        "{label:<10} {} {} {} after {} attempt(s){when}{why}",
                        n.outcome,
                        n.channel.as_str(),
                        n.state.as_str(),
                        n.attempts
                    );
                }
            }
            Err(error) => println!("notified   unknown: {error}"),
        }
    }

    fn to_json(&self, created_at: Option<DateTime<Utc>>) -> Value {
        let events: Vec<Value> = self
            .events
            .iter()
            .map(|(kind, record)| {
                let mut json = record.to_json();
                let at = record
                    .timestamp_ms
                    .and_then(DateTime::from_timestamp_millis);
                if let Value::Object(fields) = &mut json {
                    fields.insert("type".into(), json!(kind.as_str()));
                    if let (Some(from), Some(at)) = (created_at, at) {
                        fields.insert("sinceCreatedMs".into(), json!(ms(from, at)));
                    }
                }
                json
            })
            .collect();
        let known = |r: &Result<Value, String>| match r {
            Ok(v) => v.clone(),
            Err(e) => json!({ "error": e }),
        };
        json!({
            "events": events,
            "unread": self.unread,
            "reservation": known(&self.reservation.clone().map(|r| json!(r))),
            "payment": known(&self.payment.clone().map(|p| json!(p))),
            "notifications": known(&self.notifications.clone().map(|n| json!(n))),
        })
    }
}

/// Milliseconds from `a` to `b`, with a fraction: steps on one machine take less than one.
fn ms(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0
}
