//! `orders topics create`: the topics of the pipeline, created idempotently.

use crate::cli::TopicsCreateArgs;
use anyhow::Context;
use orders_kafka::admin::{self, TopicOutcome, TopicSpec};
use std::process::ExitCode;

pub(crate) async fn create(args: TopicsCreateArgs) -> anyhow::Result<ExitCode> {
    let names = if args.topics.is_empty() {
        vec![args.kafka.topic.clone(), args.kafka.dead_letter_topic()]
    } else {
        args.topics.clone()
    };
    let specs: Vec<TopicSpec> = names
        .into_iter()
        .map(|name| TopicSpec {
            name,
            partitions: args.partitions,
            replication_factor: args.replication_factor,
        })
        .collect();
    let kafka = args.kafka.config("orders-cli");
    let outcomes = admin::create_topics(&kafka, &specs, args.timeout)
        .await
        .context("cannot create topics")?;
    for (name, outcome) in outcomes {
        match outcome {
            TopicOutcome::Created => println!(
                "created {name} ({} partitions, replication factor {})",
                args.partitions, args.replication_factor
            ),
            TopicOutcome::AlreadyExists => println!("{name} already exists"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
