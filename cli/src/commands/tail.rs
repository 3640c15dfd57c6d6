//! `orders tail`: what is on the pipeline's topics, live, as a person or a script wants
//! to read it: one topic (`order_created` by default, any with `--topic`), or every
//! event topic interleaved (`--all`), each event on one line with what it says.
//!
//! It reads every partition without joining a consumer group and commits nothing, so
//! watching never takes events away from the services.

use crate::cli::KafkaArgs;
use crate::duration::parse_duration;
use anyhow::Context;
use clap::{Args, ValueEnum};
use orders_core::OrderCreated;
use orders_core::saga::{
    EventKind, InventoryRejected, InventoryReleased, InventoryReserved, OrderConfirmed,
    OrderRejected, PaymentCompleted, PaymentFailed, SagaEvent, inventory,
};
use orders_kafka::ReceivedRecord;
use orders_kafka::reader::{StartFrom, TopicReader};
use orders_kafka::topics::EVENT_TYPE_HEADER;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Where to start in each partition.
    #[arg(long, value_enum, default_value_t = From::End)]
    pub from: From,
    /// Exit after this many events (those that match --correlation-id, when given).
    #[arg(short = 'n', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// One JSON object per line: key, partition, offset, timestamp, headers, value.
    #[arg(long)]
    pub json: bool,
    /// Only events with this correlation id (the value's correlationId, or the record key
    /// when the value has none).
    #[arg(long, value_name = "ID")]
    pub correlation_id: Option<String>,
    /// How long to wait for the cluster's metadata before giving up.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Every event topic of the pipeline at once, interleaved as they come, each line
    /// with its event type (instead of the one topic of --topic).
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// Everything still on the topic.
    Beginning,
    /// Only events published from now on.
    End,
}

pub async fn run(args: TailArgs) -> anyhow::Result<ExitCode> {
    let topics = if args.all {
        args.kafka
            .topics()
            .events()
            .map(|(_, name)| name.to_owned())
            .collect()
    } else {
        vec![args.kafka.topic.clone()]
    };
    let all = args.all;
    follow_all(&args, &topics, |record| {
        if args.json {
            record.to_json().to_string()
        } else if all {
            event_line(record)
        } else {
            human_line(record)
        }
    })
    .await
}

/// Reads each of `topics` as `args` says, interleaved as records come, and prints each
/// matching record with `line`.
pub async fn follow_all(
    args: &TailArgs,
    topics: &[String],
    line: impl Fn(&ReceivedRecord) -> String,
) -> anyhow::Result<ExitCode> {
    if let [topic] = topics {
        return follow(args, topic, line).await;
    }
    let kafka = args.kafka.config("orders-tail");
    let (sender, mut records) = tokio::sync::mpsc::channel(1_024);
    for topic in topics {
        let from = match args.from {
            From::Beginning => StartFrom::Beginning,
            From::End => StartFrom::End,
        };
        let reader = TopicReader::follow(&kafka, topic, from, args.timeout)
            .await
            .with_context(|| format!("cannot read {topic}"))?;
        let sender = sender.clone();
        tokio::spawn(async move {
            loop {
                let record = reader.recv().await;
                if sender.send(record).await.is_err() {
                    return;
                }
            }
        });
    }
    drop(sender);
    print_each(args, line, async move || records.recv().await).await
}
/// Reads `topic` as `args` says and prints each matching record with `line`.
pub async fn follow(
    args: &TailArgs,
    topic: &str,
    line: impl Fn(&ReceivedRecord) -> String,
) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("orders-tail");
    let from = match args.from {
        From::Beginning => StartFrom::Beginning,
        From::End => StartFrom::End,
    };
    let reader = TopicReader::follow(&kafka, topic, from, args.timeout)
        .await
        .with_context(|| format!("cannot read {topic}"))?;
    print_each(args, line, async || Some(reader.recv().await)).await
}

/// Prints each record `next` gives that matches `args`, until `-n`, Ctrl-C, a closed
/// pipe or the end of the records.
async fn print_each(
    args: &TailArgs,
    line: impl Fn(&ReceivedRecord) -> String,
    mut next: impl AsyncFnMut() -> Option<orders_kafka::Result<ReceivedRecord>>,
) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    let mut shown = 0;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    while args.count.is_none_or(|n| shown < n) {
        let record = tokio::select! {
            _ = &mut ctrl_c => break,
            record = next() => record,
        };
        let record = match record {
            None => break,
            Some(Ok(record)) => record,
            Some(Err(error)) => {
                tracing::warn!(%error, "reading the topic");
                continue;
            }
        };
        if args
            .correlation_id
            .as_deref()
            .is_some_and(|id| record.correlation_id().as_deref() != Some(id))
        {
            continue;
        }
        // A closed pipe (`orders tail | head`) is the reader saying it has enough.
        if writeln!(stdout, "{}", line(&record)).is_err() {
            break;
        }
        shown += 1;
    }
    Ok(ExitCode::SUCCESS)
}

/// The kind of event a record is: what its `event-type` header says (our services set
/// it), else what its topic's default name says.
pub fn kind_of(record: &ReceivedRecord) -> Option<EventKind> {
    record
        .header(EVENT_TYPE_HEADER)
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(EventKind::parse)
        .or_else(|| {
            EventKind::ALL.into_iter().find(|k| {
                record.topic == k.as_str() || record.topic.ends_with(&format!(".{}", k.as_str()))
            })
        })
}

/// `2025-12-05T21:15:00.012Z  payment_completed    2/17  4d93…  paid 150 (pay_3f2a…)`
pub fn event_line(record: &ReceivedRecord) -> String {
    match kind_of(record) {
        None | Some(EventKind::OrderCreated) => human_line(record),
        Some(kind) => {
            let time = record.timestamp().unwrap_or_else(|| "-".into());
            let place = format!("{}/{}", record.partition, record.offset);
            let id = record.key_text();
            format!(
                "{time}  {kind:<18}  {place:>8}  {id}  {}",
                summary(record, kind)
            )
        }
    }
}

/// What a saga event says, in a few words (`paid 150 (pay_3f2a…)`).
pub fn summary(record: &ReceivedRecord, kind: EventKind) -> String {
    let value = record.value.as_deref().unwrap_or_default();
    let items = |items: &[orders_core::OrderItem]| {
        items
            .iter()
            .map(|i| format!("{}×{}", i.sku, i.quantity))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let said = match kind {
        EventKind::OrderCreated => OrderCreated::from_json(value)
            .map(|e| format!("ordered {}  total {}", items(&e.items), e.total_amount)),
        EventKind::InventoryReserved => InventoryReserved::from_json(value)
            .map(|e| format!("reserved {}  total {}", items(&e.items), e.total_amount)),
        EventKind::InventoryRejected => InventoryRejected::from_json(value).map(|e| {
            format!(
                "refused {}: {}",
                e.reason,
                inventory::describe(e.reason, &e.shortages)
            )
        }),
        EventKind::InventoryReleased => {
            InventoryReleased::from_json(value).map(|e| format!("released {}", items(&e.items)))
        }
        EventKind::PaymentCompleted => PaymentCompleted::from_json(value)
            .map(|e| format!("paid {} ({})", e.amount, e.payment_id)),
        EventKind::PaymentFailed => {
            PaymentFailed::from_json(value).map(|e| format!("declined {}: {}", e.amount, e.reason))
        }
        EventKind::OrderConfirmed => OrderConfirmed::from_json(value).map(|e| {
            format!(
                "confirmed {}  total {}  ({})",
                items(&e.items),
                e.total_amount,
                e.payment_id
            )
        }),
        EventKind::OrderRejected => OrderRejected::from_json(value).map(|e| {
            let stage = match e.stage {
                orders_core::saga::Stage::Inventory => "inventory",
                orders_core::saga::Stage::Payment => "payment",
            };
            format!("rejected at the {stage}: {}: {}", e.reason, e.detail)
        }),
    };
    said.unwrap_or_else(|e| format!("not a valid {kind} ({}): {e}", e.kind()))
}

/// `2025-12-05T21:15:00.000Z  3/41  4d93…  customer 06f3…  SKU-1×2 SKU-2×1  total 150`
pub fn human_line(record: &ReceivedRecord) -> String {
    let time = record.timestamp().unwrap_or_else(|| "-".into());
    let place = format!("{}/{}", record.partition, record.offset);
    match OrderCreated::from_json(record.value.as_deref().unwrap_or_default()) {
        Ok(event) => {
            let items: Vec<String> = event
                .items
                .iter()
                .map(|i| format!("{}×{}", i.sku, i.quantity))
                .collect();
            format!(
                "{time}  {place:>8}  {}  customer {}  {}  total {}",
                event.correlation_id,
                event.customer_id,
                items.join(" "),
                event.total_amount
            )
        }
        Err(error) => {
            let key = record.key_text();
            format!(
                "{time}  {place:>8}  key {key:?}  not an order ({}): {error}",
                error.kind()
            )
        }
    }
}
