//! `orders tail`: what is on the topic, live, as a person or a script wants to read it.
//!
//! It reads every partition without joining a consumer group and commits nothing, so
//! watching never takes events away from the order-service.

use crate::cli::KafkaArgs;
use crate::duration::parse_duration;
use anyhow::Context;
use clap::{Args, ValueEnum};
use orders_core::OrderCreated;
use orders_kafka::ReceivedRecord;
use orders_kafka::reader::{StartFrom, TopicReader};
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// Everything still on the topic.
    Beginning,
    /// Only events published from now on.
    End,
}

pub async fn run(args: TailArgs) -> anyhow::Result<ExitCode> {
    let topic = args.kafka.topic.clone();
    follow(&args, &topic, |record| {
        if args.json {
            record.to_json().to_string()
        } else {
            human_line(record)
        }
    })
    .await
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
    let mut stdout = std::io::stdout().lock();
    let mut shown = 0;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    while args.count.is_none_or(|n| shown < n) {
        let record = tokio::select! {
            _ = &mut ctrl_c => break,
            record = reader.recv() => record,
        };
        let record = match record {
            Ok(record) => record,
            Err(error) => {
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
