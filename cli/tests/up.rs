//! `orders up` as a person runs it in a terminal: started in a process group of its own,
//! with its own broker (nisshi on sqlite storage in its data directory) and free ports, and
//! stopped the way a terminal's Ctrl-C stops it, with SIGINT to the whole group.

use crate::helpers::*;
use crate::process::free_port;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// `orders up` on free ports with its data in `dir` and its order-service in `group`
/// (set the way the README says, through KAFKA_GROUP_ID), as the leader of a new process
/// group (a shell's foreground job), with its output in `dir/up.log`.
fn start_up(dir: &Path, broker: u16, gateway: u16, admin: u16, group: &str) -> Child {
    let log = std::fs::File::create(dir.join("up.log")).unwrap();
    let mut command = Command::new(orders_bin());
    command
        .args(["up", "--data-dir"])
        .arg(dir.join("data"))
        .args(["--brokers", &format!("127.0.0.1:{broker}")])
        .args(["--listen", &format!("127.0.0.1:{gateway}")])
        .args(["--admin-listen", &format!("127.0.0.1:{admin}")])
        // The saga's services on free ports too: another `orders up` may run beside it.
        .args(["--inventory-listen", &format!("127.0.0.1:{}", free_port())])
        .args(["--payment-listen", &format!("127.0.0.1:{}", free_port())])
        .args([
            "--notification-listen",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .args(["--partitions", "2"])
        .env("KAFKA_GROUP_ID", group)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .kill_on_drop(true);
    for var in [
        "KAFKA_BROKERS",
        "KAFKA_BROKER",
        "KAFKA_TOPIC_ORDER_CREATED",
        "GATEWAY_LISTEN",
        "ADMIN_LISTEN",
        "ORDERS_DATA_DIR",
    ] {
        command.env_remove(var);
    }
    command.spawn().unwrap()
}

/// The processes whose command line listens on `tcp://127.0.0.1:PORT`: a nisshi on that
/// port, however it was started.
fn nisshi_on(port: u16) -> Vec<u32> {
    let listener = format!("tcp://127.0.0.1:{port}");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_nisshi = args
            .first()
            .is_some_and(|program| program.ends_with("nisshi"));
        if is_nisshi && args.iter().any(|a| a == &listener) {
            found.push(pid);
        }
    }
    found
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_up_uses_the_services_options_and_ctrl_c_stops_it_and_its_broker_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, gateway, admin) = (free_port(), free_port(), free_port());
    let group = unique("up-group");
    let mut up = start_up(dir.path(), broker, gateway, admin, &group);
    let log = || std::fs::read_to_string(dir.path().join("up.log")).unwrap_or_default();

    // Working: an order goes through it, so both services hold connections to the broker
    // and the order-service is a member of its group.
    let gateway_url = format!("http://127.0.0.1:{gateway}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ready = http().get(format!("{gateway_url}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        if let Some(status) = up.try_wait().unwrap() {
            panic!(
                "orders up exited ({status}) before it was ready; its log:\n{}",
                log()
            );
        }
        assert!(
            Instant::now() < deadline,
            "orders up is not ready after 120 s; its log:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let response = post_order(&format!("{gateway_url}/orders"), "up-ctrl-c").await;
    assert_eq!(response.status(), 202, "{}", log());
    eventually(
        "the order to be persisted",
        Duration::from_secs(30),
        || async {
            let url = format!("http://127.0.0.1:{admin}/orders/up-ctrl-c");
            (get_json(&url).await.0 == 200).then_some(())
        },
    )
    .await;
    assert_eq!(nisshi_on(broker).len(), 1, "its own broker runs: {}", log());

    // The order-service consumes in the group KAFKA_GROUP_ID names, so `orders lag` for
    // that group sees its commits.
    let brokers = format!("127.0.0.1:{broker}");
    eventually("the group to commit", Duration::from_secs(30), || async {
        let lag = run_orders(&[
            "lag".into(),
            "--json".into(),
            "--group".into(),
            group.clone(),
            "--brokers".into(),
            brokers.clone(),
        ])
        .await;
        let document: serde_json::Value = serde_json::from_slice(&lag.stdout).ok()?;
        (document["committed"] == true && document["totalLag"] == 0).then_some(())
    })
    .await;

    // A terminal's Ctrl-C: SIGINT to every process of the foreground group.
    let group = up.id().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-s", "INT", "--", &format!("-{group}")])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exited = tokio::time::timeout(Duration::from_secs(15), up.wait()).await;
    let Ok(exited) = exited else {
        panic!(
            "orders up still runs 15 s after Ctrl-C; its log:\n{}",
            log()
        );
    };
    assert!(exited.unwrap().success(), "{}", log());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}: {}",
        started.elapsed(),
        log()
    );

    for (what, port) in [("gateway", gateway), ("admin", admin), ("broker", broker)] {
        assert!(port_is_free(port), "the {what} port {port} is still taken");
    }
    assert_eq!(nisshi_on(broker), Vec::<u32>::new(), "{}", log());
    let text = log();
    assert!(text.contains("stopped"), "{text}");
    assert!(
        !text.contains("Connection refused"),
        "the services outlived the broker: {text}"
    );
}
