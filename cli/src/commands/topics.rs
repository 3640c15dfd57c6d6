//! `orders topics create`: the topics of the pipeline, created idempotently, with the
//! durability `acks=all` needs (`min.insync.replicas`).

use crate::cli::TopicsCreateArgs;
use anyhow::{Context, bail};
use orders_kafka::admin::{self, TopicOutcome, TopicSpec};
use std::process::ExitCode;

pub(crate) async fn create(args: TopicsCreateArgs) -> anyhow::Result<ExitCode> {
    let names = if args.topics.is_empty() {
        args.kafka.topics().all()
    } else {
        args.topics.clone()
    };
    let min_insync = args
        .min_insync_replicas
        .unwrap_or_else(|| admin::default_min_insync_replicas(args.replication_factor));
    if min_insync > args.replication_factor {
        bail!(
            "--min-insync-replicas ({min_insync}) is more than --replication-factor ({}): no \
             acks=all write could ever be acknowledged",
            args.replication_factor
        );
    }
    let specs: Vec<TopicSpec> = names
        .into_iter()
        .map(|name| TopicSpec {
            min_insync_replicas: min_insync,
            ..TopicSpec::new(name, args.partitions, args.replication_factor)
        })
        .collect();
    let kafka = args.kafka.config("orders-cli");
    let outcomes = admin::create_topics(&kafka, &specs, args.timeout)
        .await
        .context("cannot create topics")?;
    let mut mismatched = Vec::new();
    for (name, outcome) in outcomes {
        match outcome {
            TopicOutcome::Created => println!(
                "created {name} ({} partitions, replication factor {}, min.insync.replicas \
                 {min_insync})",
                args.partitions, args.replication_factor
            ),
            TopicOutcome::AlreadyExists { partitions } if partitions == args.partitions => {
                println!("{name} already exists");
            }
            TopicOutcome::AlreadyExists { partitions } => {
                println!("{name} already exists with {partitions} partitions");
                mismatched.push(format!("{name} has {partitions}"));
            }
        }
    }
    if !mismatched.is_empty() {
        bail!(
            "{} partitions were asked for, but {}; a topic's partitions can be added \
             (kafka-topics --alter --partitions) but never removed",
            args.partitions,
            mismatched.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
