//! `orders schema`: the `order_created` contract as a JSON Schema, for schema registries
//! and for the local broker.
//!
//! `docs/schemas/order_created.json` is compiled into the binary, so `check` compares a
//! registry with what this build publishes and accepts, not with whatever file is on
//! disk. `register` is a deploy step: the gateway and the order-service never call the
//! registry while they run, so a registry that is down cannot stop orders from flowing.
//! The record value stays plain JSON, without the 5-byte prefix of Confluent's
//! serializers, because the seed's services read and write plain JSON.
//!
//! [`write_schema_dir`] and [`nisshi_args`] let `orders up` make nisshi itself refuse a
//! record that breaks the contract.

use crate::duration::parse_duration;
use anyhow::Context;
use clap::{Args, Subcommand};
use orders_registry::{Comparison, RegistryClient, Schema, subject_for_topic};
use serde_json::{Value, json};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The `order_created` JSON Schema (draft 2020-12) this binary was built with.
pub const ORDER_CREATED_SCHEMA: &str = include_str!("../../../docs/schemas/order_created.json");

/// Where a Schema Registry answers when nothing else is said (the compose file's port).
pub const DEFAULT_REGISTRY_URL: &str = "http://localhost:8081";

/// The schema directory's name inside nisshi's working directory.
pub const BROKER_SCHEMA_DIR: &str = "schemas";

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
            print!("{ORDER_CREATED_SCHEMA}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// This binary's schema, as a registry takes it.
pub fn order_created_schema() -> Schema {
    Schema::json(ORDER_CREATED_SCHEMA)
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
            let mine: Value = serde_json::from_str(ORDER_CREATED_SCHEMA).unwrap_or(Value::Null);
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

/// Writes nisshi's schema for `topic`, `<broker_dir>/schemas/<topic>.json`, and returns
/// the directory.
///
/// nisshi validates the value of every record produced to a topic that has a file there
/// against `properties.value` of the file's schema, and the key against `properties.key`.
/// Only the value is given: the key is the correlation id as plain UTF-8, not JSON.
/// `broker_dir` must be the directory nisshi runs in (the sqlite storage directory of
/// `orders_nisshi::Storage::Sqlite`), because nisshi resolves `file://` URLs against its
/// working directory; start it with [`nisshi_args`]. The file is rewritten on every
/// call, so a restarted broker enforces the schema of the binary that started it.
pub fn write_schema_dir(broker_dir: &Path, topic: &str) -> io::Result<PathBuf> {
    if topic.is_empty() || topic.contains(['/', '\\']) || topic == "." || topic == ".." {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{topic:?} cannot name a schema file"),
        ));
    }
    let value: Value = serde_json::from_str(ORDER_CREATED_SCHEMA)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let wrapper = json!({
        "type": "object",
        "properties": { "value": value },
    });
    let dir = broker_dir.join(BROKER_SCHEMA_DIR);
    std::fs::create_dir_all(&dir)?;
    let text = serde_json::to_vec_pretty(&wrapper).map_err(io::Error::other)?;
    std::fs::write(dir.join(format!("{topic}.json")), text)?;
    Ok(dir)
}

/// The `nisshi broker` arguments (`BrokerConfig::extra_args`) that make it enforce the
/// schemas [`write_schema_dir`] wrote into its working directory.
///
/// Without a cache expiry, nisshi 0.8.1 reads and compiles the schema file again for
/// every produce request (2.5 times the broker's CPU under `orders bench`); its cache
/// check is inverted, so an expiry of 0s keeps the schema it loaded first. Should that
/// be fixed, 0s means "read it every time", today's behaviour, so nothing breaks.
pub fn nisshi_args() -> Vec<OsString> {
    vec![
        "--schema-registry".into(),
        format!("file://./{BROKER_SCHEMA_DIR}").into(),
        "--schema-registry-cache-expiry".into(),
        "0s".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_is_json_schema_2020_12() {
        let schema: Value = serde_json::from_str(ORDER_CREATED_SCHEMA).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }

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

    #[test]
    fn nisshi_gets_the_value_schema_only() {
        let dir = tempfile::tempdir().unwrap();
        let written = write_schema_dir(dir.path(), "order_created").unwrap();
        assert_eq!(written, dir.path().join("schemas"));
        let file: Value =
            serde_json::from_slice(&std::fs::read(written.join("order_created.json")).unwrap())
                .unwrap();
        let contract: Value = serde_json::from_str(ORDER_CREATED_SCHEMA).unwrap();
        assert_eq!(file["properties"]["value"], contract);
        assert!(file["properties"].get("key").is_none());
        assert!(write_schema_dir(dir.path(), "../escape").is_err());
    }
}
