//! `orders dash` against the real stack: `--once --json` agrees with what `/stats` and
//! `orders lag --json` say, and the live dashboard, driven in a real terminal (tmux),
//! shows the rates moving and the lag under `orders bench` load, quits on `q` and on
//! Ctrl-C, and leaves the terminal as it found it.
//!
//! The services run as `orders` processes of their own, so each one's `/metrics` holds
//! its own counters only (in this test binary every in-process service shares one
//! registry with the other tests).

use crate::helpers::*;
use crate::process::{Process, free_port};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

async fn lag_json(topics: &Topics, group: &str) -> Value {
    let mut args = vec![
        "lag".to_owned(),
        "--json".to_owned(),
        "--group".to_owned(),
        group.to_owned(),
    ];
    args.extend(topics.cli_args());
    let output = run_orders(&args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn dash_args(topics: &Topics, gateway: &str, admin: &str, idle_group: &str) -> Vec<String> {
    let mut args = topics.cli_args();
    args.extend([
        "--gateway".to_owned(),
        gateway.to_owned(),
        "--admin".to_owned(),
        admin.to_owned(),
        "--group".to_owned(),
        topics.group.clone(),
        "--group".to_owned(),
        idle_group.to_owned(),
    ]);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_json_agrees_with_the_order_services_stats_and_orders_lag() {
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("orders.db").display());
    let gateway = Process::gateway(&topics, dir.path(), &[]).await;
    let service = Process::consumer(&topics, &database, dir.path(), &[]).await;
    let bench = run_orders(&[
        "bench".into(),
        "-n".into(),
        "200".into(),
        "-c".into(),
        "8".into(),
        "--e2e".into(),
        "--gateway".into(),
        gateway.url(""),
        "--admin".into(),
        service.url(""),
    ])
    .await;
    assert!(bench.status.success(), "{}", stderr(&bench));
    topics.produce("poison-1", b"this is not JSON").await;

    // Wait until nothing moves any more: the poison record dead-lettered, every offset
    // committed; from then on every reader must see the same figures.
    eventually(
        "the poison record to be dead-lettered",
        Duration::from_secs(30),
        || async {
            let (_, stats) = get_json(&service.url("/stats")).await;
            (stats["rejected"] == 1 && topics.count(&topics.dead_letters).await == 1).then_some(())
        },
    )
    .await;
    eventually(
        "every offset to be committed",
        Duration::from_secs(30),
        || async {
            let lag = lag_json(&topics, &topics.group).await;
            (lag["totalLag"] == 0 && lag["committed"] == true).then_some(())
        },
    )
    .await;

    // A group that never consumed: its lag is the whole topic.
    let idle = unique("idle-group");
    let mut args = vec![
        "dash".to_owned(),
        "--once".to_owned(),
        "--json".to_owned(),
        "--interval".to_owned(),
        "300ms".to_owned(),
    ];
    args.extend(dash_args(
        &topics,
        &gateway.url(""),
        &service.url(""),
        &idle,
    ));
    let output = run_orders(&args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let dash: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(dash["version"], 1);
    assert!(dash["intervalSeconds"].as_f64().unwrap() >= 0.3, "{dash}");

    let (_, stats) = get_json(&service.url("/stats")).await;
    let order_service = &dash["services"][1];
    assert_eq!(order_service["name"], "order-service");
    assert_eq!(order_service["state"], "ready");
    assert_eq!(
        order_service["stats"], stats,
        "the dashboard shows /stats as it is"
    );
    assert_eq!(order_service["work"]["name"], "created");
    assert_eq!(
        order_service["work"]["total"].as_f64(),
        stats["created"].as_f64()
    );
    assert_eq!(order_service["work"]["total"], 200.0);
    assert_eq!(order_service["work"]["perSecond"], 0.0, "nothing moves now");
    assert_eq!(
        order_service["errors"]["total"].as_f64().unwrap(),
        stats["rejected"].as_f64().unwrap() + stats["retries"].as_f64().unwrap()
    );

    let gateway_view = &dash["services"][0];
    assert_eq!(gateway_view["state"], "ready");
    assert_eq!(gateway_view["work"]["total"], 200.0, "{gateway_view}");
    assert_eq!(gateway_view["errors"]["total"], 0.0, "{gateway_view}");
    assert_eq!(
        gateway_view["answers"],
        serde_json::json!({"202": {"total": 200.0, "perSecond": 0.0}})
    );
    let latency = &gateway_view["latencyMs"];
    assert!(
        latency.is_null(),
        "nothing answered in the interval: {latency}"
    );

    // Each group on order_created, found by name: the pipeline's other groups and
    // topics are listed too.
    let on_order_created = |group: &str| -> Value {
        dash["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == group && g["topic"] == topics.topic.as_str())
            .unwrap_or_else(|| panic!("{group} is not shown: {dash}"))
            .clone()
    };
    assert_eq!(
        dash["groups"][0]["group"], topics.group,
        "the order-service's group comes first"
    );
    for group in [topics.group.as_str(), idle.as_str()] {
        let lag = lag_json(&topics, group).await;
        let view = on_order_created(group);
        assert_eq!(view["totalLag"], lag["totalLag"], "{group}");
        assert_eq!(view["state"], lag["state"], "{group}");
        let partitions = view["partitions"].as_array().unwrap();
        assert_eq!(partitions.len(), 3);
        for (mine, theirs) in partitions.iter().zip(lag["partitions"].as_array().unwrap()) {
            for key in ["partition", "committedOffset", "logEndOffset", "lag"] {
                assert_eq!(mine[key], theirs[key], "{group} {key}");
            }
        }
    }
    assert_eq!(on_order_created(&topics.group)["totalLag"], 0);
    assert_eq!(on_order_created(&topics.group)["drain"], "drained");
    assert_eq!(
        on_order_created(&idle)["totalLag"],
        201,
        "200 orders and the poison record"
    );
    assert_eq!(on_order_created(&idle)["drain"], "stalled");
    let names: Vec<&str> = dash["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "gateway",
            "order-service",
            "inventory-service",
            "payment-service",
            "notification-service"
        ]
    );

    let dead = &dash["deadLetters"][0];
    assert_eq!(dead["topic"], topics.dead_letters.as_str());
    assert_eq!(dead["records"], 1);
    assert_eq!(dead["newest"]["kind"], "not_json", "{dead}");
    assert!(
        dead["newest"]["record"]
            .as_str()
            .unwrap()
            .starts_with(&topics.dead_letters)
    );

    // Without --json, the same snapshot as the screen shows it.
    let mut args = vec![
        "dash".to_owned(),
        "--once".to_owned(),
        "--interval".to_owned(),
        "100ms".to_owned(),
    ];
    args.extend(dash_args(
        &topics,
        &gateway.url(""),
        &service.url(""),
        &idle,
    ));
    let output = run_orders(&args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let line = |start: &str| {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?}:\n{text}"))
            .to_owned()
    };
    assert!(line("order-service").contains("● ready"), "{text}");
    assert!(
        line(&format!("{} ← {idle}", topics.topic)).contains("lag 201"),
        "{text}"
    );
    assert!(line(&topics.dead_letters).contains("1 record"), "{text}");
}

#[tokio::test]
async fn without_a_terminal_it_says_to_use_once_and_json_needs_once() {
    let output = run_orders(&["dash".into(), "--brokers".into(), "127.0.0.1:1".into()]).await;
    assert!(!output.status.success());
    assert_stderr_has(&output, "stdout is not one; use --once");
    let output = run_orders(&["dash".into(), "--json".into()]).await;
    assert!(!output.status.success());
    assert_stderr_has(&output, "--once");
}

/// `orders up --dash`: the dashboard of the stack `up` started shows all five services
/// ready and an order going through the saga; quitting it stops the whole stack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_up_dash_shows_the_whole_stack_and_quitting_it_stops_everything() {
    let tmux = Tmux::new();
    let topics = Topics::create(2).await;
    let dir = tempfile::tempdir().unwrap();
    let ports: Vec<u16> = (0..5).map(|_| free_port()).collect();
    let address = |i: usize| format!("127.0.0.1:{}", ports[i]);
    let mut args: Vec<String> = vec![
        "up".into(),
        "--dash".into(),
        "--data-dir".into(),
        dir.path().join("data").display().to_string(),
        "--partitions".into(),
        "2".into(),
    ];
    for (i, flag) in [
        "--listen",
        "--admin-listen",
        "--inventory-listen",
        "--payment-listen",
        "--notification-listen",
    ]
    .into_iter()
    .enumerate()
    {
        args.extend([flag.to_owned(), address(i)]);
    }
    for flag in [
        "--group",
        "--inventory-group",
        "--payment-group",
        "--notification-group",
    ] {
        args.extend([flag.to_owned(), unique("up-dash")]);
    }
    args.extend(topics.cli_args());
    let command = format!(
        "env -u KAFKA_BROKERS -u KAFKA_BROKER -u KAFKA_TOPIC_ORDER_CREATED -u GATEWAY_LISTEN \
         -u ADMIN_LISTEN -u ORDERS_DATA_DIR RUST_LOG=warn {} {}",
        orders_bin().display(),
        args.join(" ")
    );
    tmux.start("up", &command);
    tmux.wait_for("up", "every service of the stack to be ready", |screen| {
        (screen.lines().filter(|l| l.contains("● ready")).count() == 5).then_some(())
    })
    .await;

    let submitted = run_orders(&[
        "submit".into(),
        "--sku".into(),
        "SKU-1:1".into(),
        "--wait".into(),
        "--gateway".into(),
        format!("http://{}", address(0)),
        "--admin".into(),
        format!("http://{}", address(1)),
        "--inventory".into(),
        format!("http://{}", address(2)),
        "--payment".into(),
        format!("http://{}", address(3)),
    ])
    .await;
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    assert!(
        stdout(&submitted).contains("confirmed"),
        "{}",
        stdout(&submitted)
    );
    tmux.wait_for("up", "the order's events to scroll", |screen| {
        screen.contains("order_confirmed").then_some(())
    })
    .await;

    tmux.keys("up", "q");
    let screen = tmux
        .wait_for(
            "up",
            "orders up to stop once its dashboard quits",
            |screen| screen.contains("EXITED=").then(|| screen.to_owned()),
        )
        .await;
    assert!(screen.contains("EXITED=0"), "{screen}");
    assert!(screen.contains("stopped"), "{screen}");
    tmux.assert_restored("up", &screen);
    for port in ports {
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
            "port {port} is still bound:\n{screen}"
        );
    }
}

/// A tmux server of the test's own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Self {
        assert!(
            std::path::Path::new("/usr/bin/tmux").exists(),
            "this test drives orders dash in tmux: apt-get install -y tmux"
        );
        Self {
            socket: unique("orders-dash"),
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let output = Command::new("/usr/bin/tmux")
            .args(["-u", "-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            output.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Starts `command` in a new 100x30 window named `name`, under `sh`, which prints how
    /// it exited and the terminal's settings afterwards, then waits.
    fn start(&self, name: &str, command: &str) {
        let script = format!("{command}; echo EXITED=$?; stty -a; sleep 120");
        let mut args = vec!["new-session", "-d", "-s", name, "-x", "100", "-y", "30"];
        args.extend(["sh", "-c", &script]);
        self.run(&args);
    }

    fn screen(&self, name: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", name])
    }

    fn keys(&self, name: &str, keys: &str) {
        self.run(&["send-keys", "-t", name, keys]);
    }

    /// Waits until the screen of `name` satisfies `check`; returns what it gave.
    async fn wait_for<T>(&self, name: &str, what: &str, check: impl Fn(&str) -> Option<T>) -> T {
        let deadline = std::time::Instant::now() + Duration::from_secs(40);
        loop {
            let screen = self.screen(name);
            if let Some(found) = check(&screen) {
                return found;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Whether the pane's terminal is back to normal: the alternate screen left, the
    /// cursor shown, and (from `stty -a` after exit) canonical mode and echo on.
    fn assert_restored(&self, name: &str, screen: &str) {
        let flags = self.run(&[
            "display-message",
            "-p",
            "-t",
            name,
            "#{alternate_on} #{cursor_flag}",
        ]);
        assert_eq!(
            flags.trim(),
            "0 1",
            "alternate screen off, cursor shown:\n{screen}"
        );
        let stty: String = screen
            .split("EXITED=")
            .nth(1)
            .unwrap_or_default()
            .replace('\n', " ");
        for flag in [" icanon", " echo ", " isig", " icrnl"] {
            assert!(stty.contains(flag), "{flag} is not back on:\n{screen}");
        }
        assert!(
            !stty.contains("-icanon") && !stty.contains("-echo "),
            "{screen}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("/usr/bin/tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The number after `label ` on the first line of `screen` starting with `start`.
fn figure_after(screen: &str, start: &str, label: &str) -> Option<f64> {
    let line = screen.lines().find(|l| l.starts_with(start))?;
    let rest = &line[line.find(&format!("{label} "))? + label.len() + 1..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    number.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_dashboard_shows_rates_move_and_lag_under_load_and_restores_the_terminal() {
    let tmux = Tmux::new();
    let topics = Topics::create(3).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("orders.db").display());
    let gateway = Process::gateway(&topics, dir.path(), &[]).await;
    let service = Process::consumer(&topics, &database, dir.path(), &[]).await;
    let idle = unique("idle-group");
    let command = format!(
        "env -u KAFKA_BROKERS -u KAFKA_BROKER -u KAFKA_TOPIC_ORDER_CREATED -u ORDERS_GATEWAY_URL \
         -u ORDERS_ADMIN_URL RUST_LOG=warn {} dash {}",
        orders_bin().display(),
        dash_args(&topics, &gateway.url(""), &service.url(""), &idle).join(" ")
    );
    tmux.start("live", &command);

    // Before the load: every service ready, nothing accepted yet.
    tmux.wait_for("live", "the first readings", |screen| {
        let quiet = figure_after(screen, "gateway ", "accepted") == Some(0.0);
        (quiet && screen.lines().filter(|l| l.contains("● ready")).count() == 2).then_some(())
    })
    .await;

    // A small load: 40 orders a second for 12 seconds.
    let load: Vec<String> = [
        "bench",
        "--duration",
        "12s",
        "--rate",
        "40",
        "-c",
        "4",
        "--gateway",
    ]
    .map(String::from)
    .into_iter()
    .chain([gateway.url("")])
    .collect();
    let load = tokio::spawn(async move { run_orders(&load).await });

    let accepted = tmux
        .wait_for("live", "the gateway's rate to move", |screen| {
            figure_after(screen, "gateway ", "accepted").filter(|r| *r >= 10.0)
        })
        .await;
    assert!(accepted < 100.0, "about 40 a second: {accepted}");
    tmux.wait_for("live", "the order-service's rate to move", |screen| {
        figure_after(screen, "order-service", "created").filter(|r| *r > 0.0)
    })
    .await;
    let idle_line = format!("{} ← {idle}", topics.topic);
    let first = tmux
        .wait_for("live", "the idle group's lag", |screen| {
            figure_after(screen, &idle_line, "lag").filter(|l| *l > 0.0)
        })
        .await;
    let screen = tmux
        .wait_for("live", "the idle group's lag to grow", |screen| {
            figure_after(screen, &idle_line, "lag")
                .filter(|l| *l > first + 20.0)
                .map(|_| screen.to_owned())
        })
        .await;
    assert!(
        screen.contains(&format!("{} ← {}  lag", topics.topic, topics.group)),
        "{screen}"
    );
    assert!(
        screen.lines().any(|l| l.trim_start().starts_with("p0 ")),
        "{screen}"
    );
    assert!(
        screen.contains("p50 ") && screen.contains("202 "),
        "{screen}"
    );
    tmux.wait_for("live", "events to scroll", |screen| {
        (screen.lines().filter(|l| l.contains("  customer ")).count() >= 3).then_some(())
    })
    .await;

    tmux.keys("live", "q");
    let screen = tmux
        .wait_for("live", "orders dash to exit on q", |screen| {
            screen.contains("EXITED=").then(|| screen.to_owned())
        })
        .await;
    assert!(screen.contains("EXITED=0"), "{screen}");
    tmux.assert_restored("live", &screen);

    // Ctrl-C (a key in raw mode, not a signal) ends it the same way.
    tmux.start("interrupted", &command);
    tmux.wait_for("interrupted", "the dashboard", |screen| {
        screen.contains("SERVICES").then_some(())
    })
    .await;
    tmux.keys("interrupted", "C-c");
    let screen = tmux
        .wait_for("interrupted", "orders dash to exit on Ctrl-C", |screen| {
            screen.contains("EXITED=").then(|| screen.to_owned())
        })
        .await;
    assert!(screen.contains("EXITED=0"), "{screen}");
    tmux.assert_restored("interrupted", &screen);

    let load = load.await.unwrap();
    assert!(load.status.success(), "{}", stderr(&load));
}
