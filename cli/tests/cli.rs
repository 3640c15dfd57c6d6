//! The `orders` binary against a running stack, as a user types it.

use crate::helpers::*;
use serde_json::Value;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_create_twice_succeeds_and_says_what_it_did() {
    let topics = Topics::create(1).await;
    let name = unique("cli-topic");
    let mut command = args(&["topics", "create", &name, "--partitions", "2", "--brokers"]);
    command.push(topics.kafka.brokers.clone());

    let first = run_orders(&command).await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first).trim(),
        format!("created {name} (2 partitions, replication factor 1, min.insync.replicas 1)")
    );
    let second = run_orders(&command).await;
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&second).trim(), format!("{name} already exists"));
    assert_eq!(topics.count(&name).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_create_sets_min_insync_replicas_and_refuses_a_partition_count_it_cannot_have() {
    let topics = Topics::create(1).await;
    let name = unique("cli-durable");
    let create = |extra: &[&str]| {
        let mut command = args(&["topics", "create", &name, "--brokers"]);
        command.push(topics.kafka.brokers.clone());
        command.extend(extra.iter().map(|s| (*s).to_owned()));
        command
    };

    let output = run_orders(&create(&["--partitions", "2"])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let config =
        orders_kafka::admin::topic_config(&topics.kafka, &name, std::time::Duration::from_secs(10))
            .await
            .unwrap();
    assert_eq!(
        config.get("min.insync.replicas").map(String::as_str),
        Some("1"),
        "{config:?}"
    );

    // More in-sync replicas than replicas could never acknowledge a write.
    let output = run_orders(&create(&["--min-insync-replicas", "2"])).await;
    assert!(!output.status.success());
    assert_stderr_has(
        &output,
        "--min-insync-replicas (2) is more than --replication-factor (1)",
    );

    // The topic exists with 2 partitions: asking for 3 is not "fine".
    let output = run_orders(&create(&["--partitions", "3"])).await;
    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains(&format!("{name} already exists with 2 partitions")),
        "{}",
        stdout(&output)
    );
    assert_stderr_has(
        &output,
        &format!("3 partitions were asked for, but {name} has 2"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_broker_is_one_clear_line_and_a_failure() {
    let output = run_orders(&args(&[
        "topics",
        "create",
        "--brokers",
        "127.0.0.1:1",
        "--timeout",
        "2s",
    ]))
    .await;
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("no Kafka broker answered at 127.0.0.1:1"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_prints_where_the_order_landed_and_wait_follows_it_to_its_final_state() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    let gateway_url = format!("http://{}", gateway.address);
    let admin_url = format!("http://{}", service.service.address);

    // The user's own example: no --total.
    let output = run_orders(&args(&[
        "submit",
        "--customer",
        "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf",
        "--sku",
        "SKU-1:2",
        "--gateway",
        &gateway_url,
    ]))
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let line = stdout(&output);
    assert!(line.starts_with("accepted "), "{line}");
    assert!(
        line.contains("partition ") && line.contains("offset "),
        "{line}"
    );

    // Without the saga's services the order stays pending: --wait says so and exits 3.
    let output = run_orders(&args(&[
        "submit",
        "--sku",
        "SKU-1:1",
        "--gateway",
        &gateway_url,
        "--admin",
        &admin_url,
        "--wait",
        "--wait-timeout",
        "1s",
    ]))
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("still pending"),
        "{}",
        stderr(&output)
    );

    let inventory = spawn_inventory(&topics, &[("SKU-1", 10), ("SKU-2", 10)]).await;
    let payment = spawn_payment(&topics, orders_payment::SimulatedProvider::default()).await;
    let inventory_url = inventory.url("");
    let payment_url = payment.url("");
    let saga = |extra: &[&str]| {
        let mut all = vec![
            "submit",
            "--sku",
            "SKU-1:2",
            "--sku",
            "SKU-2:1",
            "--total",
            "99.5",
            "--gateway",
            &gateway_url,
            "--admin",
            &admin_url,
            "--inventory",
            &inventory_url,
            "--payment",
            &payment_url,
            "--wait",
        ];
        all.extend_from_slice(extra);
        args(&all)
    };
    let output = run_orders(&saga(&["--correlation-id", "cli-wait-1", "--json"])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(answer["correlationId"], "cli-wait-1");
    assert_eq!(answer["event"]["totalAmount"], 99.5);
    assert_eq!(answer["event"]["items"][1]["sku"], "SKU-2");
    assert_eq!(answer["order"]["status"], "confirmed");
    assert_eq!(answer["reservation"]["status"], "committed");
    assert_eq!(answer["payment"]["status"], "completed");
    assert_eq!(persisted(&service, "cli-wait-1").await["totalAmount"], 99.5);

    let output = run_orders(&saga(&["--correlation-id", "cli-wait-2"])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let steps: Vec<String> = stdout(&output)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        steps,
        ["accepted", "pending", "reserved", "paid", "confirmed"],
        "{}",
        stdout(&output)
    );

    // Without --total the total is the number of units.
    let first = stdout(
        &run_orders(&args(&[
            "submit",
            "--sku",
            "A:2",
            "--sku",
            "B:3",
            "--json",
            "--gateway",
            &gateway_url,
        ]))
        .await,
    );
    let first: Value = serde_json::from_str(first.trim()).unwrap();
    assert_eq!(first["event"]["totalAmount"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_shows_the_gateways_refusal_and_fails() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    let gateway_url = format!("http://{}", gateway.address);
    let output = run_orders(&args(&[
        "submit",
        "--sku",
        "SKU-1:0",
        "--total",
        "-1",
        "--gateway",
        &gateway_url,
    ]))
    .await;
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("400 Bad Request"), "{err}");
    assert!(
        err.contains("/items/0/quantity must be greater than 0"),
        "{err}"
    );
    assert!(err.contains("/totalAmount must be greater than 0"), "{err}");

    let output = run_orders(&args(&[
        "submit",
        "--sku",
        "SKU-1",
        "--gateway",
        &gateway_url,
    ]))
    .await;
    assert!(!output.status.success());
    assert_stderr_has(&output, "expected SKU:QUANTITY");

    let output = run_orders(&args(&[
        "submit",
        "--sku",
        "SKU-1:1",
        "--gateway",
        "http://127.0.0.1:1",
    ]))
    .await;
    assert!(!output.status.success());
    assert_stderr_has(&output, "cannot reach the gateway");
    assert_eq!(topics.count(&topics.topic).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_events_as_lines_or_json_and_stops_after_n() {
    let topics = Topics::create(2).await;
    topics.produce("t-1", event_json("t-1").as_bytes()).await;
    topics.produce("t-2", event_json("t-2").as_bytes()).await;
    topics.produce("t-3", b"not an order").await;

    let mut command = args(&["tail", "--from", "beginning", "-n", "3"]);
    command.extend(topics.cli_args());
    let output = run_orders(&command).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("t-1  customer 06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf  SKU-1×2  total 150"),
        "{text}"
    );
    assert!(text.contains("not an order (not_json)"), "{text}");

    let mut command = args(&[
        "tail",
        "--from",
        "beginning",
        "-n",
        "1",
        "--json",
        "--correlation-id",
        "t-2",
    ]);
    command.extend(topics.cli_args());
    let output = run_orders(&command).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let line: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(line["key"], "t-2");
    assert_eq!(line["value"]["correlationId"], "t-2");
    assert!(line["offset"].is_i64() && line["partition"].is_i64() && line["timestamp"].is_string());
    assert!(line["headers"].is_object());
}

#[test]
fn the_committed_completions_match_the_command_line() {
    use clap::CommandFactory;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../completions");
    for (shell, file) in [
        (clap_complete::Shell::Bash, "orders.bash"),
        (clap_complete::Shell::Zsh, "_orders"),
        (clap_complete::Shell::Fish, "orders.fish"),
    ] {
        let mut generated = Vec::new();
        clap_complete::generate(
            shell,
            &mut orders_cli::cli::Cli::command(),
            "orders",
            &mut generated,
        );
        let path = dir.join(file);
        if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale: run `UPDATE_COMPLETIONS=1 cargo test -p orders-cli completions` and commit it",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dlq_tail_shows_why_and_replay_sends_the_original_record_back() {
    let topics = Topics::create(2).await;
    let service = spawn_consumer(&topics).await;
    let invalid = br#"{"correlationId":"dlq-1","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{"sku":"A","quantity":1}],"totalAmount":0,"createdAt":"2025-12-05T21:15:00.000Z"}"#;
    topics.produce("dlq-1", invalid).await;
    topics
        .produce("dlq-ok", event_json("dlq-ok").as_bytes())
        .await;
    persisted(&service, "dlq-ok").await;
    let with_topics = |list: &[&str]| {
        let mut command = args(list);
        command.extend(topics.cli_args());
        command
    };

    let output = run_orders(&with_topics(&[
        "dlq",
        "tail",
        "--from",
        "beginning",
        "-n",
        "1",
    ]))
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let line = stdout(&output);
    assert!(line.contains(r#"key "dlq-1""#), "{line}");
    assert!(line.contains("contract_violation: value breaks the order_created contract: /totalAmount must be greater than 0"), "{line}");
    assert!(line.contains(&format!("(from {} ", topics.topic)), "{line}");

    let output = run_orders(&with_topics(&[
        "dlq",
        "replay",
        "--correlation-id",
        "unknown",
    ]))
    .await;
    assert!(!output.status.success());
    assert_stderr_has(&output, "no record with correlation id unknown");

    let output = run_orders(&with_topics(&[
        "dlq",
        "replay",
        "--correlation-id",
        "dlq-1",
        "--dry-run",
    ]))
    .await;
    assert!(
        stdout(&output).contains("would replay"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        topics.count(&topics.topic).await,
        2,
        "a dry run sends nothing"
    );

    let output = run_orders(&with_topics(&["dlq", "replay", "--all"])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("1 records replayed"),
        "{}",
        stdout(&output)
    );
    // Back on the topic as it was first published, without the dead-letter headers...
    let records = topics.read(&topics.topic, 3).await;
    let replayed = records
        .iter()
        .find(|r| r.offset > 0 && r.key.as_deref() == Some(&b"dlq-1"[..]))
        .unwrap();
    assert_eq!(replayed.value.as_deref(), Some(&invalid[..]));
    assert!(
        replayed.headers.iter().all(|(k, _)| !k.starts_with("dlt-")),
        "{:?}",
        replayed.headers
    );
    // ...and, still invalid, set aside again by the order-service.
    eventually(
        "the replayed record to be dead-lettered again",
        std::time::Duration::from_secs(30),
        || async { (topics.count(&topics.dead_letters).await == 2).then_some(()) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_records_that_are_still_invalid_twice_does_not_grow_the_dead_letter_topic() {
    let topics = Topics::create(2).await;
    let service = spawn_consumer(&topics).await;
    topics.produce("dlq-again-1", b"{not json").await;
    topics
        .produce(
            "dlq-again-2",
            br#"{"correlationId":"dlq-again-2","items":[]}"#,
        )
        .await;
    topics
        .produce("dlq-again-ok", event_json("dlq-again-ok").as_bytes())
        .await;
    persisted(&service, "dlq-again-ok").await;
    let dead_letters = |n: i64| {
        let topics = topics.clone();
        async move {
            eventually(
                &format!("{n} records on the dead-letter topic"),
                std::time::Duration::from_secs(30),
                || async { (topics.count(&topics.dead_letters).await == n).then_some(()) },
            )
            .await;
        }
    };
    dead_letters(2).await;
    let group = unique("replay");
    let replay = |extra: &[&str]| {
        let mut command = args(&["dlq", "replay", "--all", "--replay-group", &group]);
        command.extend(extra.iter().map(|s| (*s).to_owned()));
        command.extend(topics.cli_args());
        command
    };

    let first = run_orders(&replay(&[])).await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("2 records replayed"),
        "{}",
        stdout(&first)
    );
    assert_eq!(topics.count(&topics.topic).await, 5);
    // Still invalid: set aside again, each naming the record it was replayed from.
    dead_letters(4).await;

    let second = run_orders(&replay(&[])).await;
    assert!(second.status.success(), "{}", stderr(&second));
    let summary = stdout(&second);
    assert!(summary.contains("0 records replayed"), "{summary}");
    assert!(
        summary.contains("2 skipped: they came back from an earlier replay"),
        "{summary}"
    );
    assert!(
        summary.contains("2 records before where the last replay stopped were not read"),
        "{summary}"
    );
    assert_eq!(topics.count(&topics.topic).await, 5, "nothing was sent");
    // The order-service has read every record there is, so nothing more can come back.
    eventually(
        "the order-service to have read all 5 records",
        std::time::Duration::from_secs(30),
        || async {
            let (_, stats) = get_json(&service.url("/stats")).await;
            (stats["received"] == 5).then_some(())
        },
    )
    .await;
    assert_eq!(topics.count(&topics.dead_letters).await, 4);

    // Asked for, everything is read again from the beginning.
    let everything = run_orders(&replay(&["--include-replayed", "--dry-run"])).await;
    assert!(everything.status.success(), "{}", stderr(&everything));
    assert!(
        stdout(&everything).contains("4 records would be replayed"),
        "{}",
        stdout(&everything)
    );
}

/// Bad flags and environment variables stop the command before it does anything, with
/// one message that names the flag and what is wrong with the value.
#[test]
fn bad_flags_and_environment_name_what_is_wrong() {
    // (arguments, environment, what the first line of stderr must say)
    type Case = (
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: &[Case] = &[
        (
            &["bench", "-n", "0"],
            &[],
            "'--requests <N>': send at least 1 order",
        ),
        (
            &["bench", "--duration", "0s"],
            &[],
            "expected a duration longer than zero",
        ),
        (
            &["bench", "-n", "5", "-c", "0"],
            &[],
            "'--concurrency <CONCURRENCY>'",
        ),
        (
            &["bench", "-n", "5", "--rate", "0"],
            &[],
            "--rate must be a positive number",
        ),
        (
            &["bench", "-n", "5", "--max-error-rate", "2"],
            &[],
            "between 0 and 1, got 2",
        ),
        (
            &["submit", "--customer", "abc", "--sku", "A:1"],
            &[],
            "expected a UUID such as",
        ),
        (&["submit", "--sku", "A"], &[], "expected SKU:QUANTITY"),
        (&["tail", "--from", "middle"], &[], "'--from <FROM>'"),
        (
            &["serve-gateway"],
            &[("PUBLISH_TIMEOUT", "soon")],
            "'--publish-timeout <PUBLISH_TIMEOUT>'",
        ),
        (
            &["serve-gateway"],
            &[("GATEWAY_LISTEN", "nope")],
            "'--listen <LISTEN>'",
        ),
        (
            &["topics", "create"],
            &[("KAFKA_OPTIONS", "linger.ms")],
            "expected KEY=VALUE",
        ),
        (
            &["lag"],
            &[("LOG_FORMAT", "xml")],
            "'--log-format <LOG_FORMAT>'",
        ),
        (
            &["db", "migrate"],
            &[("DATABASE_URL", "mysql://db/orders")],
            "unsupported database URL scheme `mysql`",
        ),
    ];
    for (arguments, environment, expected) in cases {
        let output = std::process::Command::new(orders_bin())
            .args(*arguments)
            .envs(environment.iter().copied())
            .env("KAFKA_BROKERS", "127.0.0.1:1")
            .output()
            .unwrap();
        let err = stderr(&output);
        assert!(
            !output.status.success(),
            "{arguments:?} {environment:?} succeeded"
        );
        assert!(
            err.lines()
                .next()
                .is_some_and(|line| line.starts_with("error: ") && line.contains(expected)),
            "{arguments:?} {environment:?}: expected {expected:?} on the first line of:\n{err}"
        );
    }
}
