//! `orders schema`: the saga's event contracts, as JSON Schemas, in a schema registry.
//!
//! The schemas are the core's ([`orders_core::saga::events::schema`], compiled in), so
//! `check` compares a registry with what this build publishes and accepts, not with
//! whatever file is on disk. Each event's schema goes under its topic's subject
//! (`<topic>-value`, Confluent's topic-name strategy). `register` is a deploy step: no
//! service calls the registry while it runs, so a registry that is down cannot stop
//! orders from flowing. Record values stay plain JSON, without the 5-byte prefix of
//! Confluent's serializers, because the seed's services read and write plain JSON.

use crate::cli::EventTopicArgs;
use crate::duration::parse_duration;
use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use orders_core::saga::EventKind;
use orders_core::saga::events::schema;
use orders_registry::{Comparison, RegistryClient, Schema, subject_for_topic};
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;

/// Where a Schema Registry answers when nothing else is said (the compose file's port).
pub const DEFAULT_REGISTRY_URL: &str = "http://localhost:8081";

/// Most differences `check` lists per subject.
const MAX_DIFFERENCES: usize = 10;

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Register each event's JSON Schema under <its topic>-value in a Confluent-compatible
    /// Schema Registry and print its id (the same id when it is already registered).
    Register(RegistryArgs),
    /// Compare each subject's latest version with this binary's schema: exit 0 when every
    /// one is the same, 1 when one differs or is missing, or the registry cannot be asked.
    Check(RegistryArgs),
    /// Print this binary's JSON Schema of one event.
    Show {
        /// The event.
        #[arg(default_value = "order_created", value_parser = event_kind())]
        event: EventKind,
    },
}

/// Which registry, and which subjects in it.
#[derive(Debug, Clone, Args)]
pub struct RegistryArgs {
    /// Base URL of the Schema Registry (credentials, when it needs them, as
    /// https://KEY:SECRET@host).
    #[arg(long, env = "SCHEMA_REGISTRY_URL", hide_env_values = true, default_value = DEFAULT_REGISTRY_URL)]
    pub registry: String,
    /// Only this event's schema (repeatable) [default: every event of the saga].
    #[arg(long = "event", value_name = "EVENT", value_parser = event_kind())]
    pub events: Vec<EventKind>,
    /// The order_created topic.
    #[arg(
        long,
        value_name = "TOPIC",
        env = "KAFKA_TOPIC_ORDER_CREATED",
        default_value = "order_created"
    )]
    pub topic: String,
    #[command(flatten)]
    pub topics: EventTopicArgs,
    /// The subject, for one --event [default: <its topic>-value].
    #[arg(long, requires = "events")]
    pub subject: Option<String>,
    /// Longest wait for each answer of the registry.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// An event's name, as `--event` and `show` take it.
fn event_kind() -> impl TypedValueParser<Value = EventKind> {
    PossibleValuesParser::new(EventKind::ALL.map(EventKind::as_str))
        .try_map(|name| EventKind::parse(&name).ok_or(format!("no event is called {name}")))
}

impl RegistryArgs {
    /// The events asked for, each with its subject.
    fn subjects(&self) -> anyhow::Result<Vec<(EventKind, String)>> {
        if self.subject.is_some() && self.events.len() != 1 {
            anyhow::bail!("--subject names one subject: give exactly one --event with it");
        }
        Ok(self
            .topics
            .with_order_created(&self.topic)
            .into_iter()
            .filter(|(kind, _)| self.events.is_empty() || self.events.contains(kind))
            .map(|(kind, topic)| {
                let subject = self
                    .subject
                    .clone()
                    .unwrap_or_else(|| subject_for_topic(topic));
                (kind, subject)
            })
            .collect())
    }

    fn client(&self) -> anyhow::Result<RegistryClient> {
        Ok(RegistryClient::with_timeout(&self.registry, self.timeout)?)
    }
}

pub async fn run(command: SchemaCommand) -> anyhow::Result<ExitCode> {
    match command {
        SchemaCommand::Register(args) => register(&args).await,
        SchemaCommand::Check(args) => check(&args).await,
        SchemaCommand::Show { event } => {
            print!("{}", schema(event));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// This binary's schema of `kind`, as a registry takes it.
fn schema_of(kind: EventKind) -> Schema {
    Schema::json(schema(kind))
}

async fn register(args: &RegistryArgs) -> anyhow::Result<ExitCode> {
    let client = args.client()?;
    for (kind, subject) in args.subjects()? {
        let id = client
            .register(&subject, &schema_of(kind))
            .await
            .with_context(|| format!("cannot register {subject}"))?;
        println!("registered {subject} as id {id} at {}", client.url());
    }
    Ok(ExitCode::SUCCESS)
}

async fn check(args: &RegistryArgs) -> anyhow::Result<ExitCode> {
    let client = args.client()?;
    let mut code = ExitCode::SUCCESS;
    for (kind, subject) in args.subjects()? {
        let ours = schema_of(kind);
        let comparison = client
            .compare(&subject, &ours)
            .await
            .with_context(|| format!("cannot check {subject}"))?;
        match comparison {
            Comparison::Same(registered) => println!(
                "same       {subject} version {} (id {}) is this binary's schema",
                registered.version, registered.id
            ),
            Comparison::Different(registered) => {
                code = ExitCode::FAILURE;
                println!(
                    "different  {subject} version {} (id {}) is not this binary's schema",
                    registered.version, registered.id
                );
                let theirs: Value =
                    serde_json::from_str(&registered.schema.text).unwrap_or(Value::Null);
                let mine: Value = serde_json::from_str(&ours.text).unwrap_or(Value::Null);
                if registered.schema.schema_type != ours.schema_type {
                    println!(
                        "           registered as {}, this binary's is {}",
                        registered.schema.schema_type, ours.schema_type
                    );
                }
                for path in differences(&theirs, &mine) {
                    println!("           differs at {path}");
                }
                println!("           run `orders schema register` to register this one");
            }
            Comparison::Missing => {
                code = ExitCode::FAILURE;
                println!(
                    "missing    {subject} is not registered at {}; run `orders schema register`",
                    client.url()
                );
            }
        }
    }
    Ok(code)
}

/// JSON Pointers to where two documents differ (the first [`MAX_DIFFERENCES`]).
fn differences(a: &Value, b: &Value) -> Vec<String> {
    fn walk(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
        if out.len() >= MAX_DIFFERENCES || a == b {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                    match (x.get(key), y.get(key)) {
                        (Some(u), Some(v)) => walk(u, v, child, out),
                        _ => out.push(child),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (u, v)) in x.iter().zip(y).enumerate() {
                    walk(u, v, format!("{path}/{i}"), out);
                }
            }
            _ => out.push(if path.is_empty() { "/".into() } else { path }),
        }
    }
    let mut out = Vec::new();
    walk(a, b, String::new(), &mut out);
    out.truncate(MAX_DIFFERENCES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_json_pointers() {
        let a = json!({"type": "object", "properties": {"a/b": {"minLength": 1}}, "x": [1, 2]});
        let b =
            json!({"type": "object", "properties": {"a/b": {"minLength": 2}}, "y": 1, "x": [1, 3]});
        assert_eq!(
            differences(&a, &b),
            ["/properties/a~1b/minLength", "/x/1", "/y"]
        );
        assert_eq!(differences(&json!(1), &json!(2)), ["/"]);
    }
}
