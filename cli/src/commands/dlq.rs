//! `orders dlq tail` and `orders dlq replay`: the dead-letter topic, read and emptied.
//!
//! `tail` shows dead-lettered records with why they were set aside (the `dlt-*` headers
//! the order-service adds). `replay` sends records back to the topic they came from,
//! byte for byte with their original headers, once whatever refused them is fixed (an
//! order-service upgrade, say). Replaying is safe to repeat: the order-service keeps one
//! order per correlation id, and a record that is still invalid is dead-lettered again.

use crate::cli::KafkaArgs;
use crate::commands::tail::{self, TailArgs};
use crate::duration::parse_duration;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use orders_kafka::ReceivedRecord;
use orders_kafka::admin;
use orders_kafka::consumer::{StartFrom, TopicReader};
use orders_kafka::{KafkaPublisher, ProducerSettings, Record};
use orders_runtime::dead_letter::headers;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Follow the dead-letter topic, with each record's error (same flags as `tail`).
    Tail(TailArgs),
    /// Send dead-lettered records back to the topic they came from.
    Replay(ReplayArgs),
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["correlation_id", "all"])))]
pub struct ReplayArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Replay the records of this correlation id (record key, or the value's correlationId).
    #[arg(long, value_name = "ID")]
    pub correlation_id: Option<String>,
    /// Replay every record on the dead-letter topic.
    #[arg(long)]
    pub all: bool,
    /// Show what would be replayed, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How long to wait for the cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(command: DlqCommand) -> anyhow::Result<ExitCode> {
    match command {
        DlqCommand::Tail(args) => {
            let topic = args.kafka.dead_letter_topic();
            let json = args.json;
            tail::follow(&args, &topic, |record| {
                if json {
                    tail::json_line(record)
                } else {
                    human_line(record)
                }
            })
            .await
        }
        DlqCommand::Replay(args) => replay(args).await,
    }
}

fn header(record: &ReceivedRecord, key: &str) -> String {
    record
        .header(key)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}

/// `3/12  key "c-1"  contract_violation: …  (from order_created 3/41)`
fn human_line(record: &ReceivedRecord) -> String {
    let key = record.key_text();
    format!(
        "{}/{}  key {key:?}  {}: {}  (from {} {}/{})",
        record.partition,
        record.offset,
        header(record, headers::ERROR_KIND),
        header(record, headers::ERROR_MESSAGE),
        header(record, headers::ORIGINAL_TOPIC),
        header(record, headers::ORIGINAL_PARTITION),
        header(record, headers::ORIGINAL_OFFSET),
    )
}

async fn replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("orders-dlq");
    let dead_letters = args.kafka.dead_letter_topic();
    let records = read_to_end(&kafka, &dead_letters, args.timeout).await?;
    let wanted: Vec<&ReceivedRecord> = records
        .iter()
        .filter(|r| {
            args.all
                || args
                    .correlation_id
                    .as_deref()
                    .is_some_and(|id| tail::has_correlation_id(r, id))
        })
        .collect();
    if wanted.is_empty() {
        match &args.correlation_id {
            Some(id) => bail!(
                "no record with correlation id {id} on {dead_letters} ({} records there)",
                records.len()
            ),
            None => {
                println!("{dead_letters} is empty: nothing to replay");
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    let publisher = KafkaPublisher::new(&kafka, &args.kafka.topic, &ProducerSettings::default())?;
    let mut replayed = 0;
    for record in wanted {
        let replay = replayed_record(record, &args.kafka.topic);
        let from = format!("{dead_letters} {}/{}", record.partition, record.offset);
        if args.dry_run {
            println!("would replay {from} to {}", replay.topic);
            continue;
        }
        let published = publisher
            .publish_record(&replay)
            .await
            .with_context(|| format!("replaying {from}"))?;
        println!(
            "replayed {from} to {} {}/{}",
            replay.topic, published.partition, published.offset
        );
        replayed += 1;
    }
    if !args.dry_run {
        println!("{replayed} records replayed");
    }
    Ok(ExitCode::SUCCESS)
}

/// The record as it was before it was dead-lettered: its original topic (the configured
/// one when the header is missing), key, value and headers, without the `dlt-*` ones.
fn replayed_record(record: &ReceivedRecord, default_topic: &str) -> Record {
    let original = header(record, headers::ORIGINAL_TOPIC);
    Record {
        topic: if original.is_empty() {
            default_topic.to_owned()
        } else {
            original
        },
        partition: None,
        key: record.key.clone(),
        value: record.value.clone(),
        headers: record
            .headers
            .iter()
            .filter(|(k, _)| !headers::ALL.contains(&k.as_str()))
            .cloned()
            .collect(),
    }
}

/// Every record on `topic` up to its end as of now.
async fn read_to_end(
    kafka: &orders_kafka::KafkaConfig,
    topic: &str,
    timeout: Duration,
) -> anyhow::Result<Vec<ReceivedRecord>> {
    let mut remaining = BTreeMap::new();
    for partition in admin::partitions(kafka, topic, timeout).await? {
        let (low, high) = admin::watermarks(kafka, topic, partition, timeout).await?;
        if high > low {
            remaining.insert(partition, high);
        }
    }
    let mut records = Vec::new();
    if remaining.is_empty() {
        return Ok(records);
    }
    let reader = TopicReader::open(kafka, topic, StartFrom::Beginning, timeout).await?;
    while !remaining.is_empty() {
        let record = tokio::time::timeout(timeout, reader.recv())
            .await
            .with_context(|| format!("{topic} stopped delivering before its end"))??;
        if let Some(&end) = remaining.get(&record.partition) {
            if record.offset + 1 >= end {
                remaining.remove(&record.partition);
            }
            if record.offset < end {
                records.push(record);
            }
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replayed_record_is_the_original_without_dead_letter_headers() {
        let record = ReceivedRecord {
            topic: "order_created-dlt".into(),
            partition: 1,
            offset: 5,
            timestamp_ms: None,
            key: Some(b"c-1".to_vec()),
            value: Some(b"{}".to_vec()),
            headers: vec![
                ("traceparent".into(), b"00-x".to_vec()),
                (headers::ORIGINAL_TOPIC.into(), b"orders-eu".to_vec()),
                (headers::ERROR_KIND.into(), b"not_json".to_vec()),
            ],
            header_error: None,
        };
        let replay = replayed_record(&record, "order_created");
        assert_eq!(replay.topic, "orders-eu");
        assert_eq!((replay.key, replay.value), (record.key, record.value));
        assert_eq!(
            replay.headers,
            vec![("traceparent".to_owned(), b"00-x".to_vec())]
        );
        assert_eq!(
            replay.partition, None,
            "the key picks the partition, as for any record"
        );
    }
}
