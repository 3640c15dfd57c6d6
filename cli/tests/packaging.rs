//! What ships around the binary, checked where it can be on a machine without Docker:
//! the compose file and the Dockerfile are parsed and held to what the binary reads and
//! what Apache Kafka's KRaft mode needs; the `order_created` JSON Schema is held to the
//! core's rules, event by event; nisshi is shown to refuse a record that breaks it; and
//! `orders schema` and `orders healthcheck` run against a real in-process registry.

use crate::helpers::*;
use clap::CommandFactory;
use orders_core::OrderCreated;
use orders_core::event::JSON_SCHEMA;
use orders_core::saga::EventKind;
use orders_kafka::admin::{self, TopicSpec};
use orders_kafka::{KafkaConfig, KafkaPublisher, ProducerSettings, Record};
use orders_nisshi::{Broker, BrokerConfig, Storage};
use orders_registry::fake::FakeRegistry;
use orders_registry::{RegistryClient, Schema};
use serde_json::{Value, json};
use serde_norway::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repository().join(path)).unwrap()
}

// ---------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------

/// The compose file with its `<<:` merge keys applied, as compose reads it.
fn compose() -> Yaml {
    let mut compose: Yaml = serde_norway::from_str(&read("docker-compose.yml")).unwrap();
    compose.apply_merge().unwrap();
    compose
}

fn services(compose: &Yaml) -> BTreeMap<String, Yaml> {
    compose["services"]
        .as_mapping()
        .expect("services")
        .iter()
        .map(|(name, service)| (name.as_str().unwrap().to_owned(), service.clone()))
        .collect()
}

fn text(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// A service's environment as a map (compose takes a map or a list of `K=V`).
fn environment(service: &Yaml) -> BTreeMap<String, String> {
    match &service["environment"] {
        Yaml::Null => BTreeMap::new(),
        Yaml::Mapping(map) => map.iter().map(|(k, v)| (text(k), text(v))).collect(),
        Yaml::Sequence(list) => list
            .iter()
            .map(|entry| {
                let entry = text(entry);
                let (k, v) = entry.split_once('=').unwrap_or((&entry, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        other => panic!("environment: {other:?}"),
    }
}

fn strings(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::Sequence(list) => list.iter().map(text).collect(),
        Yaml::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        Yaml::Null => Vec::new(),
        other => panic!("not a list: {other:?}"),
    }
}

/// `(host, container)` ports a service publishes.
fn ports(service: &Yaml) -> Vec<(u16, u16)> {
    strings(&service["ports"])
        .iter()
        .map(|port| {
            let (host, container) = port.rsplit_once(':').unwrap();
            let host = host.rsplit(':').next().unwrap();
            (host.parse().unwrap(), container.parse().unwrap())
        })
        .collect()
}

/// One-shots run to completion; everything else keeps running.
fn is_one_shot(service: &Yaml) -> bool {
    service["restart"].as_str() == Some("no")
}

/// Services that run this repository's image.
fn runs_orders(service: &Yaml) -> bool {
    !service["build"].is_null()
}

const SERVICES: [&str; 8] = [
    "kafka",
    "schema-registry",
    "kafka-ui",
    "postgres",
    "topics",
    "schema",
    "gateway",
    "order-service",
];

#[test]
fn compose_runs_the_whole_pipeline_and_the_tools_around_it() {
    let compose = compose();
    let services = services(&compose);
    let names: BTreeSet<&str> = services.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from(SERVICES));

    assert!(
        services["kafka"]["image"]
            .as_str()
            .unwrap()
            .starts_with("apache/kafka:")
    );
    let command = |name: &str| strings(&services[name]["command"]);
    assert_eq!(command("gateway"), ["serve-gateway"]);
    assert_eq!(command("order-service"), ["serve-consumer"]);
    assert_eq!(command("topics")[..2], ["topics", "create"]);
    assert_eq!(command("schema"), ["schema", "register"]);
    for name in ["topics", "schema", "gateway", "order-service"] {
        assert!(
            runs_orders(&services[name]),
            "{name} is not built from the repository"
        );
        assert_eq!(
            services[name]["build"]["dockerfile"].as_str(),
            Some("Dockerfile")
        );
    }
    // Named volumes keep the broker's log and the orders across `docker compose down`.
    for (name, path) in [
        ("kafka", "/var/lib/kafka/data"),
        ("postgres", "/var/lib/postgresql/data"),
    ] {
        let mounts = strings(&services[name]["volumes"]);
        let volume = mounts
            .iter()
            .find_map(|m| m.strip_suffix(&format!(":{path}")))
            .unwrap_or_else(|| panic!("{name} keeps no data in a volume: {mounts:?}"));
        assert!(!compose["volumes"][volume].is_string(), "{volume}");
        assert!(
            compose["volumes"]
                .as_mapping()
                .unwrap()
                .contains_key(volume)
        );
    }
}

#[test]
fn each_service_publishes_its_port_on_the_host() {
    let services = services(&compose());
    for (name, port) in [
        ("gateway", 3000),
        ("order-service", 3001),
        ("kafka-ui", 8080),
        ("schema-registry", 8081),
        ("kafka", 9094),
        ("postgres", 5432),
    ] {
        assert_eq!(ports(&services[name]), [(port, port)], "{name}");
    }
    let published: Vec<u16> = services
        .values()
        .flat_map(|s| ports(s).into_iter().map(|(host, _)| host))
        .collect();
    let distinct: BTreeSet<u16> = published.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        published.len(),
        "a host port is published twice"
    );
}

#[test]
fn services_are_health_checked_and_start_only_after_what_they_need() {
    let services = services(&compose());
    for (name, service) in &services {
        if is_one_shot(service) {
            assert!(
                service["healthcheck"].is_null(),
                "{name}: a one-shot has nothing to check"
            );
            assert!(
                service["depends_on"]
                    .as_mapping()
                    .is_some_and(|d| !d.is_empty()),
                "{name}: a one-shot must wait for what it talks to"
            );
        } else {
            let test = strings(&service["healthcheck"]["test"]);
            assert!(
                matches!(test.first().map(String::as_str), Some("CMD" | "CMD-SHELL"))
                    && test.len() > 1,
                "{name} has no health check: {test:?}"
            );
            assert_eq!(
                service["restart"].as_str(),
                Some("unless-stopped"),
                "{name}"
            );
        }
        let Some(depends_on) = service["depends_on"].as_mapping() else {
            continue;
        };
        for (dependency, how) in depends_on {
            let dependency = dependency.as_str().unwrap();
            let target = &services[dependency];
            let expected = if is_one_shot(target) {
                "service_completed_successfully"
            } else {
                "service_healthy"
            };
            assert_eq!(
                how["condition"].as_str(),
                Some(expected),
                "{name} must wait for {dependency} with {expected}"
            );
        }
    }

    let waits_for = |name: &str| -> BTreeSet<String> {
        services[name]["depends_on"]
            .as_mapping()
            .map(|d| d.keys().map(text).collect())
            .unwrap_or_default()
    };
    assert!(waits_for("topics").contains("kafka"));
    assert!(waits_for("schema").contains("schema-registry"));
    assert!(waits_for("gateway").is_superset(&set(["kafka", "topics"])));
    assert!(waits_for("order-service").is_superset(&set(["kafka", "postgres", "topics"])));
    assert!(waits_for("kafka-ui").is_superset(&set(["kafka", "schema-registry"])));
    // The services never call the registry: its being down must not keep them from starting.
    for name in ["gateway", "order-service"] {
        let waits = waits_for(name);
        assert!(
            !waits.contains("schema-registry") && !waits.contains("schema"),
            "{name}"
        );
    }
}

fn set<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// The environment variables a subcommand reads: its clap `env`s (global ones included)
/// and, when it talks to Kafka, those `KafkaArgs` reads by hand (`env_nonempty("…")` in
/// cli.rs), plus `RUST_LOG` for every command.
fn variables_read_by(command: &[String]) -> BTreeSet<String> {
    let mut cli = orders_cli::cli::Cli::command();
    cli.build();
    let mut variables: BTreeSet<String> = cli
        .get_arguments()
        .filter_map(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .collect();
    let mut current = &cli;
    let mut talks_to_kafka = false;
    for word in command {
        let Some(sub) = current.find_subcommand(word) else {
            break;
        };
        current = sub;
        for argument in current.get_arguments() {
            if let Some(env) = argument.get_env() {
                variables.insert(env.to_string_lossy().into_owned());
            }
            talks_to_kafka |= argument.get_id() == "brokers";
        }
    }
    assert!(
        !std::ptr::eq(current, &cli),
        "{command:?} is not an orders subcommand"
    );
    if talks_to_kafka {
        variables.extend(read_by_hand());
    }
    variables.insert("RUST_LOG".into());
    variables
}

/// The names cli.rs reads with `env_nonempty("…")`.
fn read_by_hand() -> BTreeSet<String> {
    let source = read("cli/src/cli.rs");
    let names: BTreeSet<String> = source
        .split("env_nonempty(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(name, _)| name.to_owned()))
        .collect();
    // The scan must keep seeing them, or the check below would pass on nothing.
    assert!(
        names.is_superset(&set(["KAFKA_BROKERS", "KAFKA_BROKER", "KAFKA_CLIENT_ID"])),
        "{names:?}"
    );
    names
}

#[test]
fn the_orders_containers_set_only_variables_their_command_reads() {
    let services = services(&compose());
    for (name, service) in services.iter().filter(|(_, s)| runs_orders(s)) {
        let command = strings(&service["command"]);
        let readable = variables_read_by(&command);
        let set: BTreeSet<String> = environment(service).into_keys().collect();
        let unread: Vec<_> = set.difference(&readable).collect();
        assert!(
            unread.is_empty(),
            "{name} ({command:?}) sets {unread:?}, which it does not read; it reads {readable:?}"
        );
    }

    let gateway = environment(&services["gateway"]);
    let consumer = environment(&services["order-service"]);
    for env in [&gateway, &consumer, &environment(&services["topics"])] {
        assert_eq!(env["KAFKA_BROKERS"], "kafka:9092");
        assert_eq!(env["KAFKA_TOPIC_ORDER_CREATED"], "order_created");
    }
    assert_eq!(gateway["KAFKA_CLIENT_ID"], "api-gateway");
    assert_eq!(consumer["KAFKA_CLIENT_ID"], "order-service");
    assert_eq!(consumer["KAFKA_GROUP_ID"], "order-service-group");
    let database = &consumer["DATABASE_URL"];
    assert!(
        database.starts_with("postgres://") && database.contains("@postgres:5432/"),
        "{database}"
    );
    let postgres = environment(&services["postgres"]);
    assert_eq!(
        database,
        &format!(
            "postgres://{}:{}@postgres:5432/{}",
            postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"]
        )
    );
    assert_eq!(
        environment(&services["schema"])["SCHEMA_REGISTRY_URL"],
        "http://schema-registry:8081"
    );
}

#[test]
fn each_service_listens_where_it_is_published_and_checked() {
    let services = services(&compose());
    for (name, variable, port) in [
        ("gateway", "GATEWAY_LISTEN", 3000),
        ("order-service", "ADMIN_LISTEN", 3001),
    ] {
        let service = &services[name];
        let listen: std::net::SocketAddr = environment(service)[variable].parse().unwrap();
        assert_eq!(listen.port(), port, "{name}");
        assert!(
            listen.ip().is_unspecified(),
            "{name} must listen beyond the container"
        );
        assert_eq!(ports(service), [(port, port)]);
        let test = strings(&service["healthcheck"]["test"]);
        assert_eq!(
            test[..3],
            ["CMD", "orders", "healthcheck"],
            "{name}: distroless has no shell"
        );
        assert_eq!(test[3], format!("http://127.0.0.1:{port}/readyz"), "{name}");
    }
}

#[test]
fn kafka_is_one_kraft_node_with_the_seed_s_listeners() {
    let services = services(&compose());
    let kafka = environment(&services["kafka"]);
    let roles: BTreeSet<&str> = kafka["KAFKA_PROCESS_ROLES"].split(',').collect();
    assert_eq!(roles, BTreeSet::from(["broker", "controller"]));
    assert!(kafka.contains_key("KAFKA_NODE_ID"));
    assert!(!kafka.contains_key("KAFKA_ZOOKEEPER_CONNECT"));
    // A KRaft cluster id is 16 bytes in URL-safe base64: 22 characters.
    let cluster_id = &kafka["CLUSTER_ID"];
    assert!(
        cluster_id.len() == 22
            && cluster_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{cluster_id}"
    );

    let listeners = listener_map(&kafka["KAFKA_LISTENERS"]);
    let advertised = listener_map(&kafka["KAFKA_ADVERTISED_LISTENERS"]);
    let protocols: BTreeMap<&str, &str> = kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
        .split(',')
        .map(|pair| pair.split_once(':').unwrap())
        .collect();
    let controller = kafka["KAFKA_CONTROLLER_LISTENER_NAMES"].as_str();

    let ports: BTreeSet<&str> = listeners
        .values()
        .map(|a| a.rsplit(':').next().unwrap())
        .collect();
    assert!(
        ports.is_superset(&BTreeSet::from(["9092", "9094"])),
        "{listeners:?}"
    );
    let advertised_addresses: BTreeSet<&str> = advertised.values().copied().collect();
    assert_eq!(
        advertised_addresses,
        BTreeSet::from(["kafka:9092", "localhost:9094"])
    );
    // Every listener has a protocol, and every advertised one is a listener.
    for name in listeners.keys() {
        assert!(
            protocols.contains_key(name),
            "{name} has no security protocol"
        );
    }
    for name in advertised.keys() {
        assert!(
            listeners.contains_key(name),
            "{name} is advertised but not a listener"
        );
        assert_ne!(
            *name, controller,
            "the controller listener is not for clients"
        );
    }
    // The controller listens where the quorum voters say it is.
    let controller_port = listeners[controller].rsplit(':').next().unwrap();
    assert_eq!(
        kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"],
        format!("{}@kafka:{controller_port}", kafka["KAFKA_NODE_ID"])
    );
    assert!(listeners.contains_key(kafka["KAFKA_INTER_BROKER_LISTENER_NAME"].as_str()));
    // One node: internal topics with more replicas could never be created.
    for key in [
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ] {
        assert_eq!(kafka[key], "1", "{key}");
    }
    assert_eq!(kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"], "false");

    let ui = environment(&services["kafka-ui"]);
    assert_eq!(ui["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"], "kafka:9092");
    assert_eq!(
        ui["KAFKA_CLUSTERS_0_SCHEMAREGISTRY"],
        "http://schema-registry:8081"
    );
    let registry = environment(&services["schema-registry"]);
    assert_eq!(
        registry["SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"],
        "PLAINTEXT://kafka:9092"
    );
    assert_eq!(registry["SCHEMA_REGISTRY_LISTENERS"], "http://0.0.0.0:8081");
}

/// `NAME://host:port,…` as name -> `host:port`.
fn listener_map(listeners: &str) -> BTreeMap<&str, &str> {
    listeners
        .split(',')
        .map(|listener| listener.split_once("://").unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------

/// The Dockerfile's instructions, continuation lines joined, comments dropped.
fn dockerfile() -> Vec<(String, String)> {
    let source = read("Dockerfile");
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in source.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(start) => {
                current.push_str(start);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (keyword, rest) = current.split_once(' ').unwrap_or((&current, ""));
                instructions.push((keyword.to_uppercase(), rest.trim().to_owned()));
                current.clear();
            }
        }
    }
    instructions
}

#[test]
fn the_image_is_built_in_stages_and_runs_orders_as_a_non_root_user() {
    let instructions = dockerfile();
    let stages: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, (keyword, _))| keyword == "FROM")
        .map(|(i, _)| i)
        .collect();
    assert!(stages.len() >= 2, "not a multi-stage build");

    // The builder uses the toolchain the workspace declares.
    let rust_version = read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    assert!(
        instructions.contains(&("ARG".into(), format!("RUST_VERSION={rust_version}"))),
        "the builder must use Rust {rust_version}"
    );
    let first = &instructions[stages[0]].1;
    assert!(first.starts_with("rust:${RUST_VERSION}"), "{first}");

    let last = &instructions[*stages.last().unwrap()..];
    let base = &last[0].1;
    assert!(
        base.starts_with("gcr.io/distroless/") || base.contains("-slim"),
        "the final image should be small: {base}"
    );
    let find = |keyword: &str| -> Vec<&String> {
        last.iter()
            .filter(|(k, _)| k == keyword)
            .map(|(_, rest)| rest)
            .collect()
    };
    let users = find("USER");
    let user = users.last().expect("the final stage sets no USER");
    let name = user.split(':').next().unwrap();
    assert!(!["root", "0", ""].contains(&name), "runs as {user}");
    assert!(
        find("COPY")
            .iter()
            .any(|c| c.starts_with("--from=") && c.ends_with("/usr/local/bin/orders")),
        "the binary is not copied from a build stage"
    );
    assert_eq!(find("ENTRYPOINT"), [&r#"["orders"]"#.to_owned()]);
    let healthcheck = find("HEALTHCHECK");
    let healthcheck = healthcheck
        .first()
        .expect("no HEALTHCHECK in the final image");
    let exec = healthcheck
        .split_once("CMD ")
        .map(|(_, cmd)| cmd)
        .expect("HEALTHCHECK without CMD");
    let exec: Vec<String> = serde_json::from_str(exec).expect("exec form: distroless has no shell");
    assert_eq!(exec[..2], ["orders", "healthcheck"]);
    // The command it runs exists.
    assert!(
        orders_cli::cli::Cli::command()
            .find_subcommand("healthcheck")
            .is_some()
    );
}

#[test]
fn the_build_context_leaves_out_build_output_but_keeps_what_the_build_reads() {
    let ignored: Vec<String> = read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches('/').to_owned())
        .collect();
    assert!(ignored.contains(&"target".to_owned()), "{ignored:?}");
    // The schema is compiled into the binary; migrations too (sqlx::migrate!).
    for needed in [
        "docs",
        "docs/schemas",
        "crates",
        "cli",
        "Cargo.lock",
        "crates/store/migrations",
    ] {
        assert!(!ignored.iter().any(|i| i == needed), "{needed} is ignored");
    }
}

// ---------------------------------------------------------------------------------------
// The order_created JSON Schema
// ---------------------------------------------------------------------------------------

const SEED_EVENT: &str = r#"{"correlationId":"4d93d58a-4f0b-4d7c-9b3d-5dc2f44f9f92","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"SKU-1","quantity":2}],"totalAmount":150,"createdAt":"2025-12-05T21:15:00.000Z"}"#;

fn seed() -> Value {
    serde_json::from_str(SEED_EVENT).unwrap()
}

/// The seed's event with `pointer` set to `value` (`None` removes the field).
fn with(pointer: &str, value: Option<Value>) -> Value {
    let mut event = seed();
    let (parent, field) = pointer.rsplit_once('/').unwrap();
    let target = event.pointer_mut(parent).unwrap();
    match (target, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(field.to_owned(), v);
        }
        (Value::Object(map), None) => {
            map.remove(field);
        }
        (Value::Array(list), Some(v)) => list[field.parse::<usize>().unwrap()] = v,
        (other, _) => panic!("{pointer} in {other}"),
    }
    event
}

fn created_at(s: &str) -> Value {
    with("/createdAt", Some(json!(s)))
}

/// Events the order-service accepts.
fn valid_events() -> Vec<(&'static str, Value)> {
    let mut extra = seed();
    extra["coupon"] = json!("ignored, as Zod does");
    extra["items"][0]["note"] = json!({"gift": true});
    vec![
        ("the seed's example", seed()),
        ("unknown fields anywhere", extra),
        (
            "several items",
            with(
                "/items",
                Some(json!([{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 3}])),
            ),
        ),
        (
            "a 128-character correlation id",
            with("/correlationId", Some(json!("~".repeat(128)))),
        ),
        (
            "another system's correlation id",
            with("/correlationId", Some(json!("req-2025/abc:1"))),
        ),
        (
            "a one-character correlation id",
            with("/correlationId", Some(json!("!"))),
        ),
        (
            "an upper-case customer id",
            with(
                "/customerId",
                Some(json!("06F3BBF9-24AD-4D18-9D0D-7FAD5B5F5CBF")),
            ),
        ),
        (
            "a quantity written 1.0",
            with("/items/0/quantity", Some(json!(1.0))),
        ),
        (
            "a quantity written 1e2",
            serde_json::from_str(&SEED_EVENT.replace("\"quantity\":2", "\"quantity\":1e2"))
                .unwrap(),
        ),
        (
            "the largest safe quantity",
            with("/items/0/quantity", Some(json!(9_007_199_254_740_991_u64))),
        ),
        (
            "a fractional amount",
            with("/totalAmount", Some(json!(149.99))),
        ),
        ("a tiny amount", with("/totalAmount", Some(json!(1e-300)))),
        ("a huge amount", with("/totalAmount", Some(json!(1e300)))),
        (
            "an offset instead of Z",
            created_at("2025-12-05T18:15:00-03:00"),
        ),
        (
            "the largest offset",
            created_at("2025-12-05T21:15:00+23:59"),
        ),
        (
            "a Unicode minus in the offset",
            created_at("2025-12-05T21:15:00\u{2212}03:00"),
        ),
        (
            "no fraction of a second",
            created_at("2025-12-05T21:15:00Z"),
        ),
        (
            "nanoseconds and more",
            created_at("2025-12-05T21:15:00.123456789123Z"),
        ),
        (
            "a space and a lower-case z",
            created_at("2025-12-05 21:15:00z"),
        ),
        ("a lower-case t", created_at("2025-12-05t21:15:00Z")),
        (
            "the last day with an offset that keeps it there",
            created_at("9999-12-31T23:59:59.999+05:00"),
        ),
        (
            "the first day with an offset that keeps it there",
            created_at("0000-01-01T00:00:00-05:00"),
        ),
        (
            "a sku of 256 characters of any script",
            with("/items/0/sku", Some(json!("ü🚲".repeat(128)))),
        ),
        (
            "a thousand items",
            with(
                "/items",
                Some(json!(vec![json!({"sku": "A", "quantity": 1}); 1000])),
            ),
        ),
        (
            "29 February of a leap year",
            created_at("2024-02-29T00:00:00Z"),
        ),
        ("29 February 2000", created_at("2000-02-29T00:00:00Z")),
        ("29 February of year 0", created_at("0000-02-29T00:00:00Z")),
        ("31 December 9999", created_at("9999-12-31T23:59:59.999Z")),
        ("30 April", created_at("2025-04-30T00:00:00Z")),
    ]
}

/// Events the order-service refuses; the schema must refuse each of them too.
fn invalid_events() -> Vec<(&'static str, Value)> {
    let missing = |field: &str| with(&format!("/{field}"), None);
    let null = |field: &str| with(&format!("/{field}"), Some(Value::Null));
    vec![
        ("an array", json!([])),
        ("a string", json!("order")),
        ("null", Value::Null),
        ("a number", json!(1)),
        ("no correlationId", missing("correlationId")),
        ("no customerId", missing("customerId")),
        ("no items", missing("items")),
        ("no totalAmount", missing("totalAmount")),
        ("no createdAt", missing("createdAt")),
        ("a null correlationId", null("correlationId")),
        ("a null createdAt", null("createdAt")),
        (
            "an empty correlation id",
            with("/correlationId", Some(json!(""))),
        ),
        (
            "a 129-character correlation id",
            with("/correlationId", Some(json!("a".repeat(129)))),
        ),
        (
            "a space in the correlation id",
            with("/correlationId", Some(json!("a b"))),
        ),
        (
            "a non-ASCII correlation id",
            with("/correlationId", Some(json!("é"))),
        ),
        (
            "a numeric correlation id",
            with("/correlationId", Some(json!(7))),
        ),
        (
            "a customer id that is no UUID",
            with("/customerId", Some(json!("not-a-uuid"))),
        ),
        (
            "a UUID without hyphens",
            with(
                "/customerId",
                Some(json!("06f3bbf924ad4d189d0d7fad5b5f5cbf")),
            ),
        ),
        (
            "a UUID in braces",
            with(
                "/customerId",
                Some(json!("{06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf}")),
            ),
        ),
        (
            "a UUID with a g",
            with(
                "/customerId",
                Some(json!("06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbg")),
            ),
        ),
        (
            "misplaced hyphens",
            with(
                "/customerId",
                Some(json!("06f3bbf92-4ad-4d18-9d0d-7fad5b5f5cbf")),
            ),
        ),
        (
            "a numeric customer id",
            with("/customerId", Some(json!(42))),
        ),
        ("no items at all", with("/items", Some(json!([])))),
        (
            "items as an object",
            with("/items", Some(json!({"sku": "A", "quantity": 1}))),
        ),
        (
            "an item that is a string",
            with("/items/0", Some(json!("SKU-1"))),
        ),
        ("an empty sku", with("/items/0/sku", Some(json!("")))),
        (
            "a sku with a NUL",
            with("/items/0/sku", Some(json!("SKU\u{0}1"))),
        ),
        (
            "a sku with a newline",
            with("/items/0/sku", Some(json!("SKU\n1"))),
        ),
        (
            "a sku with a C1 control",
            with("/items/0/sku", Some(json!("SKU\u{85}"))),
        ),
        (
            "a sku of 257 characters",
            with("/items/0/sku", Some(json!("é".repeat(257)))),
        ),
        (
            "a thousand and one items",
            with(
                "/items",
                Some(json!(vec![json!({"sku": "A", "quantity": 1}); 1001])),
            ),
        ),
        ("a leap second", created_at("2016-12-31T23:59:60Z")),
        (
            "the last day moved past 9999 by its offset",
            created_at("9999-12-31T23:59:59.999-00:01"),
        ),
        (
            "the first day moved before 0000 by its offset",
            created_at("0000-01-01T00:00:00+00:01"),
        ),
        ("no sku", with("/items/0", Some(json!({"quantity": 1})))),
        ("a null sku", with("/items/0/sku", Some(Value::Null))),
        ("a numeric sku", with("/items/0/sku", Some(json!(1)))),
        ("no quantity", with("/items/0", Some(json!({"sku": "A"})))),
        ("a zero quantity", with("/items/0/quantity", Some(json!(0)))),
        (
            "a negative quantity",
            with("/items/0/quantity", Some(json!(-1))),
        ),
        (
            "a fractional quantity",
            with("/items/0/quantity", Some(json!(2.5))),
        ),
        (
            "a quantity past 2^53-1",
            with("/items/0/quantity", Some(json!(9_007_199_254_740_992_u64))),
        ),
        (
            "a quantity as a string",
            with("/items/0/quantity", Some(json!("2"))),
        ),
        (
            "a second item that breaks a rule",
            with(
                "/items",
                Some(json!([{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 0}])),
            ),
        ),
        ("a zero amount", with("/totalAmount", Some(json!(0)))),
        (
            "a negative zero amount",
            with("/totalAmount", Some(json!(-0.0))),
        ),
        ("a negative amount", with("/totalAmount", Some(json!(-1)))),
        (
            "an amount as a string",
            with("/totalAmount", Some(json!("150"))),
        ),
        (
            "createdAt as a number",
            with("/createdAt", Some(json!(1_733_433_300_000_u64))),
        ),
        ("yesterday", created_at("yesterday")),
        ("a date alone", created_at("2025-12-05")),
        ("no offset", created_at("2025-12-05T21:15:00")),
        (
            "an offset without a colon",
            created_at("2025-12-05T21:15:00+0300"),
        ),
        (
            "an offset of 24 hours",
            created_at("2025-12-05T21:15:00+24:00"),
        ),
        (
            "an offset of 60 minutes",
            created_at("2025-12-05T21:15:00+03:60"),
        ),
        ("a dot without digits", created_at("2025-12-05T21:15:00.Z")),
        ("a trailing newline", created_at("2025-12-05T21:15:00Z\n")),
        (
            "a leading plus on the year",
            created_at("+2025-12-05T21:15:00Z"),
        ),
        ("month 13", created_at("2025-13-01T00:00:00Z")),
        ("month 0", created_at("2025-00-10T00:00:00Z")),
        ("day 0", created_at("2025-12-00T00:00:00Z")),
        ("31 April", created_at("2025-04-31T00:00:00Z")),
        (
            "29 February of a common year",
            created_at("2025-02-29T00:00:00Z"),
        ),
        ("29 February 1900", created_at("1900-02-29T00:00:00Z")),
        ("30 February", created_at("2024-02-30T00:00:00Z")),
        ("hour 24", created_at("2025-12-05T24:00:00Z")),
        ("minute 60", created_at("2025-12-05T21:60:00Z")),
        ("second 61", created_at("2025-12-05T21:15:61Z")),
        ("a T and a space", created_at("2025-12-05T 21:15:00Z")),
    ]
}

fn core_accepts(event: &Value) -> bool {
    OrderCreated::from_json(&serde_json::to_vec(event).unwrap()).is_ok()
}

#[test]
fn the_schema_accepts_exactly_the_events_the_order_service_accepts() {
    let schema: Value = serde_json::from_str(JSON_SCHEMA).unwrap();
    // What nisshi calls for a topic's value schema: the draft comes from `$schema`.
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let mut disagreements = Vec::new();
    for (expected, events) in [(true, valid_events()), (false, invalid_events())] {
        for (name, event) in events {
            let core = core_accepts(&event);
            let by_schema = validator.is_valid(&event);
            if core != expected || by_schema != expected {
                disagreements.push(format!(
                    "{name}: expected {expected}, core says {core}, the schema says {by_schema}"
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");

    // The example in the schema is the seed's event.
    assert_eq!(schema["examples"][0], seed());
}

/// Whether the services read `event` as a `kind` event.
fn services_read(kind: EventKind, event: &Value) -> bool {
    use orders_core::saga::*;
    fn reads<E: SagaEvent>(bytes: &[u8]) -> bool {
        E::from_json(bytes).is_ok()
    }
    let bytes = serde_json::to_vec(event).unwrap();
    match kind {
        EventKind::OrderCreated => core_accepts(event),
        EventKind::InventoryReserved => reads::<InventoryReserved>(&bytes),
        EventKind::InventoryRejected => reads::<InventoryRejected>(&bytes),
        EventKind::InventoryReleased => reads::<InventoryReleased>(&bytes),
        EventKind::PaymentCompleted => reads::<PaymentCompleted>(&bytes),
        EventKind::PaymentFailed => reads::<PaymentFailed>(&bytes),
        EventKind::OrderConfirmed => reads::<OrderConfirmed>(&bytes),
        EventKind::OrderRejected => reads::<OrderRejected>(&bytes),
    }
}

/// Values a producer that is not ours could put in any field.
fn hostile_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(""),
        json!(" "),
        json!("x"),
        json!("a\u{0}b"),
        json!("é".repeat(129)),
        json!(-1),
        json!(0),
        json!(1.5),
        json!(9_007_199_254_740_992_u64),
        json!(true),
        json!([]),
        json!({}),
        json!("2025-02-30T00:00:00Z"),
        json!("9999-12-31T23:59:59.999-00:01"),
        json!("2025-12-05T21:15:00Z"),
        json!("06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf"),
        json!("declined"),
        json!("inventory"),
        json!("out_of_stock"),
        json!([{"sku": "SKU-1", "quantity": 1}]),
        json!([{"sku": "", "quantity": 1}]),
        json!([{"sku": "SKU-1", "quantity": 0}]),
        json!([{"sku": "SKU-1", "requested": 2, "available": 1}]),
        json!([{"sku": "SKU-1", "requested": -2, "available": 1}]),
        json!(vec![json!({"sku": "SKU-1", "quantity": 1}); 1000]),
        json!(vec![json!({"sku": "SKU-1", "quantity": 1}); 1001]),
    ]
}

/// Every saga event's schema says what its consumers read: the schema's own example is
/// read by both; without any required field, both refuse it; with any field replaced by
/// any hostile value, they agree; a field neither knows is ignored by both.
#[test]
fn every_saga_event_s_schema_accepts_exactly_what_its_consumers_read() {
    let mut disagreements = Vec::new();
    for kind in EventKind::ALL {
        let schema: Value = serde_json::from_str(orders_core::saga::events::schema(kind)).unwrap();
        assert_eq!(schema["title"], kind.as_str());
        let validator = jsonschema::validator_for(&schema).unwrap();
        let example = schema["examples"][0].clone();
        let mut check = |what: String, event: &Value, expected: Option<bool>| {
            let (core, by_schema) = (services_read(kind, event), validator.is_valid(event));
            if core != by_schema || expected.is_some_and(|e| e != core) {
                disagreements.push(format!(
                    "{kind} {what}: expected {expected:?}, the services say {core}, the schema says {by_schema}"
                ));
            }
        };
        check("example".into(), &example, Some(true));
        let mut extra = example.clone();
        extra["addedLater"] = json!({"any": "thing"});
        check("with an unknown field".into(), &extra, Some(true));
        for field in schema["required"].as_array().unwrap() {
            let field = field.as_str().unwrap();
            let mut event = example.clone();
            event.as_object_mut().unwrap().remove(field);
            check(format!("without {field}"), &event, Some(false));
        }
        for field in example.as_object().unwrap().keys() {
            for value in hostile_values() {
                let mut event = example.clone();
                event[field] = value.clone();
                check(format!("with {field} = {value}"), &event, None);
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

// ---------------------------------------------------------------------------------------
// Broker-side enforcement with nisshi
// ---------------------------------------------------------------------------------------

/// A broker of its own that enforces the contract on `topic`, as `orders up` starts it:
/// sqlite storage in a temporary directory, which is nisshi's working directory and so
/// where its `file://` schema registry is.
async fn enforcing_broker(topic: &str) -> (Broker, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let binary = tokio::task::spawn_blocking(crate::helpers::nisshi)
        .await
        .unwrap();
    let config = BrokerConfig {
        binary: Some(binary),
        storage: Storage::sqlite(dir.path()),
        value_schemas: vec![(topic.to_owned(), JSON_SCHEMA.to_owned())],
        ..BrokerConfig::default()
    };
    let broker = tokio::task::spawn_blocking(move || Broker::start(config))
        .await
        .unwrap()
        .unwrap();
    let written = dir.path().join("schemas").join(format!("{topic}.json"));
    let file: Value = serde_json::from_slice(&std::fs::read(written).unwrap()).unwrap();
    let contract: Value = serde_json::from_str(JSON_SCHEMA).unwrap();
    assert_eq!(file["properties"]["value"], contract);
    assert!(
        file["properties"].get("key").is_none(),
        "the key is not JSON"
    );
    (broker, dir)
}

fn record(topic: &str, key: &str, value: &[u8]) -> Record {
    Record {
        topic: topic.to_owned(),
        key: Some(key.as_bytes().to_vec()),
        value: Some(value.to_vec()),
        ..Record::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nisshi_refuses_a_record_that_breaks_the_contract() {
    let topic = unique("order_created");
    let unchecked = format!("{topic}-dlt");
    let (broker, _dir) = enforcing_broker(&topic).await;
    let kafka = KafkaConfig::new(broker.bootstrap_servers(), "orders-packaging-tests");
    let specs = [&topic, &unchecked].map(|name| TopicSpec::new(name, 1, 1));
    admin::create_topics(&kafka, &specs, Duration::from_secs(10))
        .await
        .unwrap();
    // The gateway's own producer settings: idempotent, acks=all.
    let producer = KafkaPublisher::new(&kafka, &topic, &ProducerSettings::default()).unwrap();

    let accepted = producer
        .publish_record(&record(&topic, "ok-1", SEED_EVENT.as_bytes()))
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");

    let broken = with("/customerId", Some(json!("not-a-uuid")));
    let refused = producer
        .publish_record(&record(
            &topic,
            "bad-1",
            &serde_json::to_vec(&broken).unwrap(),
        ))
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "the broker will not take the record: Message production error: InvalidRecord \
         (Broker: Broker failed to validate record)"
    );

    // The same producer goes on: a refusal is about one batch, not the connection.
    producer
        .publish_record(&record(&topic, "ok-2", SEED_EVENT.as_bytes()))
        .await
        .unwrap();
    // Only the topic with a schema is checked: the dead-letter topic takes anything.
    producer
        .publish_record(&record(&unchecked, "bad-1", b"{not json"))
        .await
        .unwrap();

    // Values that are not JSON at all are refused as well.
    for value in [&b"{not json"[..], &[0xff, 0xfe][..], b""] {
        let refused = producer
            .publish_record(&record(&topic, "bad-2", value))
            .await;
        assert!(refused.is_err(), "{value:?} was accepted");
    }

    let topics = Topics {
        kafka: kafka.clone(),
        topic: topic.clone(),
        dead_letters: unchecked.clone(),
        group: unique("packaging"),
    };
    assert_eq!(topics.count(&topic).await, 2);
    let kept = topics.read(&topic, 2).await;
    let keys: Vec<_> = kept
        .iter()
        .map(|r| String::from_utf8(r.key.clone().unwrap_or_default()).unwrap())
        .collect();
    assert_eq!(keys, ["ok-1", "ok-2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nisshi_accepts_exactly_the_events_the_order_service_accepts() {
    let topic = unique("order_created");
    let (broker, _dir) = enforcing_broker(&topic).await;
    let kafka = KafkaConfig::new(broker.bootstrap_servers(), "orders-packaging-tests");
    let spec = TopicSpec::new(&topic, 1, 1);
    admin::create_topics(&kafka, &[spec], Duration::from_secs(10))
        .await
        .unwrap();
    let producer = KafkaPublisher::new(&kafka, &topic, &ProducerSettings::default()).unwrap();

    let mut disagreements = Vec::new();
    let mut accepted = 0;
    for (name, event) in valid_events().into_iter().chain(invalid_events()) {
        let value = serde_json::to_vec(&event).unwrap();
        let core = core_accepts(&event);
        // One at a time: nisshi refuses a whole batch when one record in it is invalid.
        let broker_accepts = producer
            .publish_record(&record(&topic, "table", &value))
            .await
            .is_ok();
        accepted += usize::from(broker_accepts);
        if broker_accepts != core {
            disagreements.push(format!(
                "{name}: core says {core}, nisshi says {broker_accepts}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert_eq!(accepted, valid_events().len());
}

// ---------------------------------------------------------------------------------------
// `orders schema` and `orders healthcheck`
// ---------------------------------------------------------------------------------------

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_register_then_check_against_a_registry() {
    let registry = FakeRegistry::start().await.unwrap();
    let url = registry.url().to_owned();

    let missing = run_orders(&args(&["schema", "check", "--registry", &url])).await;
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(
        stdout(&missing).starts_with("missing    order_created-value is not registered"),
        "{}",
        stdout(&missing)
    );

    let registered = run_orders(&args(&["schema", "register", "--registry", &url])).await;
    assert!(registered.status.success(), "{}", stderr(&registered));
    // Every event of the saga, each under its topic's subject, each schema its own id.
    let expected: Vec<String> = EventKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| format!("registered {kind}-value as id {} at {url}/", i + 1))
        .collect();
    assert_eq!(stdout(&registered).lines().collect::<Vec<_>>(), expected);
    assert_eq!(
        registry.subjects().into_iter().collect::<BTreeSet<_>>(),
        EventKind::ALL
            .iter()
            .map(|kind| format!("{kind}-value"))
            .collect::<BTreeSet<_>>()
    );
    let again = run_orders(&args(&["schema", "register", "--registry", &url])).await;
    assert_eq!(
        stdout(&again),
        stdout(&registered),
        "registering is idempotent"
    );
    assert_eq!(registry.versions("order_created-value"), 1);

    let same = run_orders(&args(&["schema", "check", "--registry", &url])).await;
    assert!(same.status.success(), "{}", stdout(&same));
    assert_eq!(
        stdout(&same).lines().next(),
        Some("same       order_created-value version 1 (id 1) is this binary's schema")
    );
    assert_eq!(
        stdout(&same)
            .lines()
            .filter(|l| l.starts_with("same "))
            .count(),
        EventKind::ALL.len()
    );

    // Someone registers a looser schema: check says where it differs and fails.
    let mut looser: Value = serde_json::from_str(JSON_SCHEMA).unwrap();
    looser["properties"]["items"]["minItems"] = json!(0);
    looser["required"] = json!(["correlationId"]);
    RegistryClient::new(&url)
        .unwrap()
        .register("order_created-value", &Schema::json(looser.to_string()))
        .await
        .unwrap();
    let different = run_orders(&args(&["schema", "check", "--registry", &url])).await;
    assert_eq!(different.status.code(), Some(1));
    let report = stdout(&different);
    assert!(
        report.starts_with(&format!(
            "different  order_created-value version 2 (id {})",
            EventKind::ALL.len() + 1
        )),
        "{report}"
    );
    assert!(
        report.contains("differs at /properties/items/minItems"),
        "{report}"
    );
    assert!(report.contains("differs at /required"), "{report}");
    assert_eq!(
        report.lines().filter(|l| l.starts_with("same ")).count(),
        EventKind::ALL.len() - 1,
        "only order_created differs: {report}"
    );
    // One event alone, under a subject of one's own.
    let one = run_orders(&args(&[
        "schema",
        "check",
        "--registry",
        &url,
        "--event",
        "payment_failed",
    ]))
    .await;
    assert!(one.status.success(), "{}", stdout(&one));
    assert_eq!(stdout(&one).lines().count(), 1, "{}", stdout(&one));
    let unknown = run_orders(&args(&["schema", "check", "--event", "order_shipped"])).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("invalid value 'order_shipped' for '--event <EVENT>'"),
        "{}",
        stderr(&unknown)
    );
    let ambiguous = run_orders(&args(&[
        "schema",
        "register",
        "--registry",
        &url,
        "--subject",
        "x",
        "--event",
        "order_created",
        "--event",
        "order_rejected",
    ]))
    .await;
    assert_eq!(ambiguous.status.code(), Some(1));
    assert!(
        stderr(&ambiguous).contains("--subject names one subject"),
        "{}",
        stderr(&ambiguous)
    );

    // The subject follows the topic, as the services' topic does.
    let other = run_orders(&args(&[
        "schema",
        "register",
        "--registry",
        &url,
        "--topic",
        "orders.v2",
    ]))
    .await;
    assert!(
        stdout(&other).starts_with("registered orders.v2-value as id 1"),
        "{}",
        stdout(&other)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_commands_fail_in_one_line_when_the_registry_is_down() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    for command in ["register", "check"] {
        let output = run_orders(&args(&[
            "schema",
            command,
            "--registry",
            &url,
            "--timeout",
            "2s",
        ]))
        .await;
        assert_eq!(output.status.code(), Some(1));
        let error = stderr(&output);
        assert_eq!(error.trim().lines().count(), 1, "{error}");
        assert!(
            error.contains(&format!(
                "cannot {command} order_created-value: cannot reach the schema registry at {url}/"
            )),
            "{error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_show_prints_the_embedded_schema() {
    let output = run_orders(&args(&["schema", "show"])).await;
    assert!(output.status.success());
    assert_eq!(stdout(&output), read("docs/schemas/order_created.json"));
    for kind in EventKind::ALL {
        let output = run_orders(&args(&["schema", "show", kind.as_str()])).await;
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output), read(&format!("docs/schemas/{kind}.json")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_exits_0_only_on_a_2xx_answer() {
    let registry = FakeRegistry::start().await.unwrap();
    // The fake registry is a handy server: a missing subject is a 404, a registered one a 200.
    let url = format!(
        "{}/subjects/order_created-value/versions/latest",
        registry.url()
    );
    let down = run_orders(&args(&["healthcheck", &url])).await;
    assert_eq!(down.status.code(), Some(1));
    assert!(
        stdout(&down).contains("answered 404 Not Found"),
        "{}",
        stdout(&down)
    );

    RegistryClient::new(registry.url())
        .unwrap()
        .register("order_created-value", &Schema::json(JSON_SCHEMA))
        .await
        .unwrap();
    let up = run_orders(&args(&["healthcheck", &url])).await;
    assert!(up.status.success(), "{}", stdout(&up));

    drop(registry);
    let gone = run_orders(&args(&["healthcheck", &url, "--timeout", "1s"])).await;
    assert_eq!(gone.status.code(), Some(1));
}
