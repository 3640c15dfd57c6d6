//! `orders lag`: how far the order-service's consumer group is behind, partition by
//! partition, and which member owns each partition (the `rpk group describe` of this
//! pipeline).
//!
//! It reads the group from outside and never joins it, so asking changes nothing for
//! the services. A group that is empty or has committed nothing is an answer, not an
//! error: the command says so and exits 0.

use crate::cli::KafkaArgs;
use crate::duration::parse_duration;
use anyhow::Context;
use clap::Args;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use orders_kafka::lag::{self, GroupLag};
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct LagArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// The consumer group to describe.
    #[arg(long, env = "KAFKA_GROUP_ID", default_value = "order-service-group")]
    pub group: String,
    /// Print one JSON document instead of the table: group, state, members, and per
    /// partition the committed offset (null when none), log start, log end, lag and owner.
    #[arg(long)]
    pub json: bool,
    /// How long to wait for each answer from the cluster.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(args: LagArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("orders-cli");
    let lag = lag::group_lag(&kafka, &args.group, &args.kafka.topic, args.timeout)
        .await
        .with_context(|| {
            format!(
                "cannot read the lag of group {} on {}",
                args.group, args.kafka.topic
            )
        })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&Document::from(&lag))?);
    } else {
        print!("{}", human(&lag));
    }
    Ok(ExitCode::SUCCESS)
}

/// The table, the total and what a reader should know about them.
fn human(lag: &GroupLag) -> String {
    let members = match lag.members.len() {
        1 => "1 member".to_owned(),
        n => format!("{n} members"),
    };
    let mut out = format!(
        "group {} on {}: {}, {members}\n",
        lag.group, lag.topic, lag.state
    );
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "partition",
        "committed",
        "log end",
        "lag",
        "owner",
    ]);
    for partition in &lag.partitions {
        let committed = partition
            .committed
            .map_or_else(|| "-".to_owned(), |o| o.to_string());
        let owner = lag.owner(partition).map_or_else(|| "-".to_owned(), member);
        table.add_row([
            partition.partition.to_string(),
            committed,
            partition.log_end.to_string(),
            partition.lag.to_string(),
            owner,
        ]);
    }
    for i in 0..=3 {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    out.push_str(&format!("{table}\ntotal lag: {}\n", lag.total()));
    for note in notes(lag) {
        out.push_str(&note);
        out.push('\n');
    }
    out
}

/// A member as a person knows it: its client id and where it runs.
fn member(m: &lag::Member) -> String {
    match m.host.as_str() {
        "" => m.client_id.clone(),
        host => format!("{} ({host})", m.client_id),
    }
}

/// Explanations for the cases where the numbers alone would mislead.
fn notes(lag: &GroupLag) -> Vec<String> {
    let mut notes = Vec::new();
    if lag.members.is_empty() {
        notes.push(format!(
            "group {} has no active members: nothing is consuming {} now.",
            lag.group, lag.topic
        ));
    } else if !lag.assignments_reported {
        let names: Vec<String> = lag.members.iter().map(member).collect();
        notes.push(format!(
            "members: {}. The broker did not report which partitions each one owns \
             (nisshi does not; Apache Kafka does), so owners are shown as -.",
            names.join(", ")
        ));
    }
    if !lag.has_committed() {
        notes.push(format!(
            "group {} has committed no offset on {}: the lag counts every record still in \
             the log (log end - log start), which is where the order-service would start.",
            lag.group, lag.topic
        ));
    } else if lag.partitions.iter().any(|p| p.committed.is_none()) {
        notes.push(
            "-: nothing committed on that partition; its lag counts from the log start.".to_owned(),
        );
    }
    notes
}

/// `--json`: a stable document, camelCase like the services' JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    group: &'a str,
    topic: &'a str,
    state: &'a str,
    /// Whether any offset is committed; when not, every lag counts from the log start.
    committed: bool,
    /// Whether the broker reported the members' assignments; when not, every owner is
    /// null because it cannot be known from outside the group.
    owners_known: bool,
    total_lag: i64,
    members: Vec<MemberDoc<'a>>,
    partitions: Vec<PartitionDoc<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberDoc<'a> {
    member_id: &'a str,
    client_id: &'a str,
    host: &'a str,
    partitions: &'a [i32],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PartitionDoc<'a> {
    partition: i32,
    committed_offset: Option<i64>,
    log_start_offset: i64,
    log_end_offset: i64,
    lag: i64,
    owner: Option<MemberDoc<'a>>,
}

impl<'a> From<&'a lag::Member> for MemberDoc<'a> {
    fn from(m: &'a lag::Member) -> Self {
        Self {
            member_id: &m.member_id,
            client_id: &m.client_id,
            host: &m.host,
            partitions: &m.partitions,
        }
    }
}

impl<'a> From<&'a GroupLag> for Document<'a> {
    fn from(lag: &'a GroupLag) -> Self {
        Self {
            group: &lag.group,
            topic: &lag.topic,
            state: &lag.state,
            committed: lag.has_committed(),
            owners_known: lag.assignments_reported,
            total_lag: lag.total(),
            members: lag.members.iter().map(MemberDoc::from).collect(),
            partitions: lag
                .partitions
                .iter()
                .map(|p| PartitionDoc {
                    partition: p.partition,
                    committed_offset: p.committed,
                    log_start_offset: p.log_start,
                    log_end_offset: p.log_end,
                    lag: p.lag,
                    owner: lag.owner(p).map(MemberDoc::from),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orders_kafka::lag::{Member, PartitionLag};

    fn group(committed: [Option<i64>; 2], members: Vec<Member>) -> GroupLag {
        let partitions = committed
            .iter()
            .enumerate()
            .map(|(i, &committed)| PartitionLag {
                partition: i as i32,
                committed,
                log_start: 0,
                log_end: 10,
                lag: lag::lag(committed, 0, 10),
                owner: members
                    .iter()
                    .position(|m| m.partitions.contains(&(i as i32))),
            })
            .collect();
        GroupLag {
            group: "g".into(),
            topic: "t".into(),
            state: if members.is_empty() {
                "Empty"
            } else {
                "Stable"
            }
            .into(),
            members,
            partitions,
            assignments_reported: true,
        }
    }

    #[test]
    fn an_idle_group_that_never_committed_says_so_and_counts_from_the_start() {
        let text = human(&group([None, None], Vec::new()));
        assert!(text.contains("total lag: 20"), "{text}");
        assert!(text.contains("no active members"), "{text}");
        assert!(text.contains("committed no offset"), "{text}");
    }

    #[test]
    fn members_are_listed_when_the_broker_does_not_say_what_they_own() {
        let member = Member {
            member_id: "order-service-1-fc532419-b592-4b1d-9034-16dc4726de81".into(),
            client_id: "order-service-1".into(),
            host: String::new(),
            partitions: Vec::new(),
        };
        let mut lag = group([Some(10), Some(10)], vec![member]);
        lag.assignments_reported = false;
        let text = human(&lag);
        assert!(
            text.contains("members: order-service-1. The broker did not report"),
            "{text}"
        );
        let json = serde_json::to_value(Document::from(&lag)).unwrap();
        assert_eq!(json["ownersKnown"], false);
        assert_eq!(json["totalLag"], 0);
    }

    #[test]
    fn owners_are_named_by_client_id_and_host() {
        let member = Member {
            member_id: "m-1".into(),
            client_id: "order-service-1".into(),
            host: "/127.0.0.1".into(),
            partitions: vec![1],
        };
        let lag = group([Some(4), Some(10)], vec![member]);
        let text = human(&lag);
        assert!(text.contains("order-service-1 (/127.0.0.1)"), "{text}");
        assert!(text.contains("total lag: 6"), "{text}");
        assert!(!text.contains("committed no offset"), "{text}");

        let json = serde_json::to_value(Document::from(&lag)).unwrap();
        assert_eq!(json["totalLag"], 6);
        assert_eq!(json["committed"], true);
        assert_eq!(json["partitions"][0]["committedOffset"], 4);
        assert_eq!(json["partitions"][0]["owner"], serde_json::Value::Null);
        assert_eq!(
            json["partitions"][1]["owner"]["clientId"],
            "order-service-1"
        );
        assert_eq!(json["members"][0]["partitions"], serde_json::json!([1]));
    }
}
