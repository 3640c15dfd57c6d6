//! `orders dlq tail` and `orders dlq replay`: the dead-letter topics, read and emptied.
//!
//! Each consuming service has one; `--topic` picks it: a dead-letter topic by name
//! (`notification-dlt`, `inventory-dlt`, `payment-dlt`, `order_created-dlt`, or any name
//! ending in `-dlt`), or else the topic whose dead letters to read (the default,
//! `order_created`, reads `order_created-dlt` as before the other services existed).
//!
//! `tail` shows dead-lettered records with why they were set aside (the `dlt-*` headers
//! a consuming service adds). `replay` sends records back to the topic they came from,
//! byte for byte with their original headers, once whatever refused them is fixed (an
//! order-service upgrade, say).
//!
//! Replaying is repeatable: `replay --all` remembers how far it got on the dead-letter
//! topic under a consumer group of its own (committed from outside the group, so nothing
//! joins it), and a replayed record names the dead-letter record it came from, so one
//! that fails again and comes back is recognised and not sent round once more.
//! `--include-replayed` asks for both anyway. Records are streamed, one at a time, so a
//! dead-letter topic of any size is replayed in bounded memory.

use crate::cli::KafkaArgs;
use crate::commands::tail::{self, TailArgs};
use crate::duration::parse_duration;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use orders_kafka::dead_letter::{self, DeadLetter};
use orders_kafka::reader::{GroupOffsets, StartFrom, TopicReader};
use orders_kafka::{Consumer, KafkaConfig, KafkaPublisher, ProducerSettings, ReceivedRecord};
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::time::Duration;

/// The consumer group `replay --all` remembers its position under, by default.
pub const DEFAULT_REPLAY_GROUP: &str = "orders-dlq-replay";

/// How many records `replay --all` reads between two commits of its position.
const COMMIT_EVERY: u64 = 500;

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Follow a dead-letter topic, with each record's error (same flags as `tail`;
    /// `--topic notification-dlt` reads the notification-service's, `--all` every
    /// service's at once).
    Tail(TailArgs),
    /// Send dead-lettered records back to the topic they came from (`--topic` picks the
    /// dead-letter topic as for `tail`). A failed notification replayed is sent again.
    Replay(ReplayArgs),
}

/// The dead-letter topic `--topic` names (see the module's documentation), and the topic
/// a record goes back to when it does not say where it came from.
pub fn dead_letter_topics(kafka: &KafkaArgs) -> (String, String) {
    let named = &kafka.topic;
    let topics = kafka.topics();
    let is_dead_letters = named.ends_with("-dlt")
        || Consumer::ALL
            .iter()
            .any(|&consumer| topics.dead_letters(consumer) == named.as_str());
    if is_dead_letters {
        let origin = named.strip_suffix("-dlt").unwrap_or(named).to_owned();
        (named.clone(), origin)
    } else {
        (kafka.dead_letter_topic(), named.clone())
    }
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["correlation_id", "all"])))]
pub struct ReplayArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Replay the records of this correlation id (the value's correlationId, or the
    /// record key when the value has none).
    #[arg(long, value_name = "ID")]
    pub correlation_id: Option<String>,
    /// Replay every record not replayed before, and remember how far this got.
    #[arg(long)]
    pub all: bool,
    /// Also replay what was replayed before: read the dead-letter topic from its beginning
    /// rather than from where the last `--all` stopped, and send records that came back
    /// from an earlier replay.
    #[arg(long)]
    pub include_replayed: bool,
    /// Show what would be replayed, and send nothing (and remember nothing).
    #[arg(long)]
    pub dry_run: bool,
    /// The consumer group under which `--all` remembers how far it got on the dead-letter
    /// topic. Nothing ever joins it.
    #[arg(long, value_name = "GROUP", default_value = DEFAULT_REPLAY_GROUP)]
    pub replay_group: String,
    /// How long to wait for the cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(command: DlqCommand) -> anyhow::Result<ExitCode> {
    match command {
        DlqCommand::Tail(args) => {
            let topics: Vec<String> = if args.all {
                let pipeline = args.kafka.topics();
                Consumer::ALL
                    .iter()
                    .map(|&consumer| pipeline.dead_letters(consumer).to_owned())
                    .collect()
            } else {
                vec![dead_letter_topics(&args.kafka).0]
            };
            let (json, all) = (args.json, args.all);
            tail::follow_all(&args, &topics, |record| {
                if json {
                    record.to_json().to_string()
                } else if all {
                    format!("{}  {}", record.topic, human_line(record))
                } else {
                    human_line(record)
                }
            })
            .await
        }
        DlqCommand::Replay(args) => replay(args).await,
    }
}

/// `3/12  key "c-1"  contract_violation: …  (from order_created 3/41)`
fn human_line(record: &ReceivedRecord) -> String {
    let why = DeadLetter::of(record);
    let text = |field: &Option<String>| field.clone().unwrap_or_default();
    let replay = why
        .replayed_from
        .as_ref()
        .map(|from| format!("  (a replay of {from})"))
        .unwrap_or_default();
    format!(
        "{}/{}  key {:?}  {}: {}  (from {} {}/{}){replay}",
        record.partition,
        record.offset,
        record.key_text(),
        text(&why.error_kind),
        text(&why.error_message),
        text(&why.original_topic),
        text(&why.original_partition),
        text(&why.original_offset),
    )
}

/// What one replay did.
#[derive(Debug, Default)]
struct Tally {
    /// Records read from the dead-letter topic.
    read: u64,
    /// Sent back (or, in a dry run, that would be).
    sent: u64,
    /// Not sent because they came back from an earlier replay.
    came_back: u64,
    /// Passed over because they are before where the last `--all` stopped.
    replayed_before: i64,
    /// Where the records went.
    topics: BTreeSet<String>,
}

async fn replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("orders-dlq");
    let (dead_letters, origin) = dead_letter_topics(&args.kafka);
    let from = if args.include_replayed {
        StartFrom::Beginning
    } else {
        StartFrom::Committed(args.replay_group.clone())
    };
    let mut reader = TopicReader::to_end(&kafka, &dead_letters, from, args.timeout)
        .await
        .with_context(|| format!("cannot read {dead_letters}"))?;
    // Only `--all` moves the bookmark: a replay of one id passes over other records.
    let mut bookmark = (args.all && !args.dry_run)
        .then(|| Bookmark::new(&kafka, &args.replay_group, &dead_letters))
        .transpose()?;
    let publisher = if args.dry_run {
        None
    } else {
        Some(KafkaPublisher::new(
            &kafka,
            &origin,
            &ProducerSettings::default(),
        )?)
    };

    let mut tally = Tally {
        replayed_before: reader.skipped(),
        ..Tally::default()
    };
    let mut matched = 0;
    let result = async {
        while let Some(record) = tokio::time::timeout(args.timeout, reader.next())
            .await
            .with_context(|| format!("{dead_letters} stopped delivering before its end"))??
        {
            tally.read += 1;
            let wanted = args
                .correlation_id
                .as_deref()
                .is_none_or(|id| record.correlation_id().as_deref() == Some(id));
            if wanted {
                matched += 1;
                let came_back = DeadLetter::of(&record).replayed_from.is_some();
                if came_back && !args.include_replayed {
                    tally.came_back += 1;
                } else {
                    let to = send(&record, &origin, &dead_letters, publisher.as_ref()).await?;
                    tally.topics.insert(to);
                    tally.sent += 1;
                }
            }
            if let Some(bookmark) = bookmark.as_mut() {
                bookmark.done(&record);
                if tally.read.is_multiple_of(COMMIT_EVERY) {
                    bookmark.commit().await?;
                }
            }
        }
        anyhow::Ok(())
    }
    .await;
    // What was sent is remembered even when a later record failed.
    if let Some(bookmark) = bookmark.as_mut() {
        let committed = bookmark.commit().await;
        result?;
        committed?;
    } else {
        result?;
    }

    if let Some(id) = &args.correlation_id
        && matched == 0
    {
        bail!(
            "no record with correlation id {id} on {dead_letters} ({} records read{})",
            tally.read,
            passed_over(tally.replayed_before)
        );
    }
    let to = if tally.topics.is_empty() {
        origin
    } else {
        tally.topics.iter().cloned().collect::<Vec<_>>().join(", ")
    };
    println!("{}", summary(&tally, args.dry_run, &to));
    Ok(ExitCode::SUCCESS)
}

/// Sends one dead-letter record back (or says it would); the topic it went to.
async fn send(
    record: &ReceivedRecord,
    origin: &str,
    dead_letters: &str,
    publisher: Option<&KafkaPublisher>,
) -> anyhow::Result<String> {
    let replay = dead_letter::replay(record, origin);
    let from = format!("{dead_letters} {}/{}", record.partition, record.offset);
    let Some(publisher) = publisher else {
        println!("would replay {from} to {}", replay.topic);
        return Ok(replay.topic);
    };
    let published = publisher
        .publish_record(&replay)
        .await
        .with_context(|| format!("replaying {from}"))?;
    println!(
        "replayed {from} to {} {}/{}",
        replay.topic, published.partition, published.offset
    );
    Ok(replay.topic)
}

/// `2 records replayed, 1 skipped: 1 came back from an earlier replay (…)`.
fn summary(tally: &Tally, dry_run: bool, topic: &str) -> String {
    let verb = if dry_run {
        "would be replayed"
    } else {
        "replayed"
    };
    let mut line = format!("{} records {verb} to {topic}", tally.sent);
    if tally.came_back > 0 {
        line.push_str(&format!(
            ", {} skipped: they came back from an earlier replay and would fail the same way \
             (--include-replayed sends them again)",
            tally.came_back
        ));
    }
    line.push_str(&passed_over(tally.replayed_before));
    line
}

fn passed_over(replayed_before: i64) -> String {
    if replayed_before > 0 {
        format!(
            "; {replayed_before} records before where the last replay stopped were not read \
             (--include-replayed reads them)"
        )
    } else {
        String::new()
    }
}

/// How far `replay --all` got: the next offset of each partition it has handled, under
/// its own consumer group.
struct Bookmark {
    offsets: GroupOffsets,
    topic: String,
    next: BTreeMap<i32, i64>,
}

impl Bookmark {
    fn new(kafka: &KafkaConfig, group: &str, topic: &str) -> anyhow::Result<Self> {
        Ok(Self {
            offsets: GroupOffsets::new(kafka, group)?,
            topic: topic.to_owned(),
            next: BTreeMap::new(),
        })
    }

    fn done(&mut self, record: &ReceivedRecord) {
        self.next.insert(record.partition, record.offset + 1);
    }

    async fn commit(&mut self) -> anyhow::Result<()> {
        let offsets: Vec<(i32, i64)> = self.next.iter().map(|(&p, &o)| (p, o)).collect();
        self.offsets
            .commit(&self.topic, &offsets)
            .await
            .with_context(|| {
                format!(
                    "cannot remember how far the replay got (group {} on {})",
                    self.offsets.group(),
                    self.topic
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_what_was_sent_and_what_was_skipped_and_why() {
        let tally = Tally {
            read: 4,
            sent: 1,
            came_back: 2,
            replayed_before: 3,
            topics: BTreeSet::new(),
        };
        let line = summary(&tally, false, "order_created");
        assert!(
            line.starts_with("1 records replayed to order_created, 2 skipped: they came back"),
            "{line}"
        );
        assert!(
            line.contains("--include-replayed sends them again"),
            "{line}"
        );
        assert!(
            line.contains("3 records before where the last replay stopped"),
            "{line}"
        );
        assert_eq!(
            summary(&Tally::default(), true, "t"),
            "0 records would be replayed to t"
        );
    }
}
