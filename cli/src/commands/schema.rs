//! `orders schema`: the `order_created` contract's JSON Schema in a schema registry.
//!
//! The schema is the core's ([`orders_core::event::JSON_SCHEMA`], compiled in), so
//! `check` compares a registry with what this build publishes and accepts, not with
//! whatever file is on disk. `register` is a deploy step: the gateway and the
//! order-service never call the registry while they run, so a registry that is down
//! cannot stop orders from flowing. The record value stays plain JSON, without the 5-byte
//! prefix of Confluent's serializers, because the seed's services read and write plain
//! JSON.

use crate::duration::parse_duration;
use anyhow::Context;
use clap::{Args, Subcommand};
use orders_core::event::JSON_SCHEMA;
use orders_registry::{Comparison, RegistryClient, Schema, subject_for_topic};
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;

/// Where a Schema Registry answers when nothing else is said (the compose file's port).
pub const DEFAULT_REGISTRY_URL: &str = "http://localhost:8081";

/// Most differences `check` lists.
const MAX_DIFFERENCES: usize = 10;

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Register the order_created JSON Schema under <topic>-value in a Confluent-compatible
    /// Schema Registry and print its id (the same id when it is already registered).
    Register(RegistryArgs),
    /// Compare the subject's latest version with this binary's schema: exit 0 when they
    /// are the same, 1 when they differ, the subject is missing or the registry cannot
    /// be asked.
    Check(RegistryArgs),
    /// Print this binary's order_created JSON Schema.
    Show,
}

/// Which registry, and which subject in it.
#[derive(Debug, Clone, Args)]
pub struct RegistryArgs {
    /// Base URL of the Schema Registry (credentials, when it needs them, as
    /// https://KEY:SECRET@host).
    #[arg(long, env = "SCHEMA_REGISTRY_URL", hide_env_values = true, default_value = DEFAULT_REGISTRY_URL)]
    pub registry: String,
    /// The topic whose record values the schema describes.
    #[arg(
        long,
        env = "KAFKA_TOPIC_ORDER_CREATED",
        default_value = "order_created"
    )]
    pub topic: String,
    /// The subject [default: <topic>-value].
    #[arg(long)]
    pub subject: Option<String>,
    /// Longest wait for each answer of the registry.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

impl RegistryArgs {
    fn subject(&self) -> String {
        self.subject
            .clone()
            .unwrap_or_else(|| subject_for_topic(&self.topic))
    }

    fn client(&self) -> anyhow::Result<RegistryClient> {
        Ok(RegistryClient::with_timeout(&self.registry, self.timeout)?)
    }
}

pub async fn run(command: SchemaCommand) -> anyhow::Result<ExitCode> {
    match command {
        SchemaCommand::Register(args) => register(&args).await,
        SchemaCommand::Check(args) => check(&args).await,
        SchemaCommand::Show => {
            print!("{JSON_SCHEMA}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// This binary's schema, as a registry takes it.
pub fn order_created_schema() -> Schema {
    Schema::json(JSON_SCHEMA)
}

async fn register(args: &RegistryArgs) -> anyhow::Result<ExitCode> {
    let client = args.client()?;
    let subject = args.subject();
    let id = client
        .register(&subject, &order_created_schema())
        .await
        .with_context(|| format!("cannot register {subject}"))?;
    println!("registered {subject} as id {id} at {}", client.url());
    Ok(ExitCode::SUCCESS)
}

async fn check(args: &RegistryArgs) -> anyhow::Result<ExitCode> {
    let client = args.client()?;
    let subject = args.subject();
    let ours = order_created_schema();
    let comparison = client
        .compare(&subject, &ours)
        .await
        .with_context(|| format!("cannot check {subject}"))?;
    match comparison {
        Comparison::Same(registered) => {
            println!(
                "same       {subject} version {} (id {}) is this binary's schema",
                registered.version, registered.id
            );
            Ok(ExitCode::SUCCESS)
        }
        Comparison::Different(registered) => {
            println!(
                "different  {subject} version {} (id {}) is not this binary's schema",
                registered.version, registered.id
            );
            let theirs: Value =
                serde_json::from_str(&registered.schema.text).unwrap_or(Value::Null);
            let mine: Value = serde_json::from_str(JSON_SCHEMA).unwrap_or(Value::Null);
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
            Ok(ExitCode::FAILURE)
        }
        Comparison::Missing => {
            println!(
                "missing    {subject} is not registered at {}; run `orders schema register`",
                client.url()
            );
            Ok(ExitCode::FAILURE)
        }
    }
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
