//! A broker never outlives the process that started it: not even one that is SIGKILLed while
//! it keeps its broker in a `static`, whose `Drop` never runs.

use std::{
    env,
    io::{BufRead as _, BufReader, Read as _},
    process::{Command, Stdio},
    sync::OnceLock,
    time::Duration,
};

use orders_nisshi::{Broker, BrokerConfig};

use crate::support::{accepts_connections, eventually, process_alive, start};

/// Set in the environment of the child that [`helper_holds_a_broker_in_a_static_until_killed`]
/// runs as.
const HOLD_BROKER: &str = "ORDERS_NISSHI_TEST_HOLD_BROKER";

#[test]
fn a_broker_dies_with_the_sigkilled_process_that_started_it() {
    let mut child = Command::new(env::current_exe().unwrap())
        .args([
            "--exact",
            "watchdog::helper_holds_a_broker_in_a_static_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLD_BROKER, "1")
        .env("NISSHI_BIN", crate::support::nisshi())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (port, pid) = loop {
        let mut line = String::new();
        assert_ne!(
            stdout.read_line(&mut line).unwrap(),
            0,
            "the child ended early"
        );
        // libtest prints the test's name first, on the same line.
        if let Some((_, rest)) = line.trim().split_once("BROKER ") {
            let (port, pid) = rest.split_once(' ').unwrap();
            break (port.parse::<u16>().unwrap(), pid.parse::<u32>().unwrap());
        }
    };
    assert!(accepts_connections(port));
    assert!(process_alive(pid));

    child.kill().unwrap(); // SIGKILL: no destructor, no atexit, nothing runs in the child.
    child.wait().unwrap();

    eventually(Duration::from_secs(10), "the orphaned nisshi exits", || {
        !process_alive(pid)
    });
    eventually(Duration::from_secs(10), "the broker's port closes", || {
        !accepts_connections(port)
    });
}

/// Runs only as the child of the test above: starts a broker, keeps it where `Drop` never
/// reaches, reports it, and waits to be killed.
#[test]
fn helper_holds_a_broker_in_a_static_until_killed() {
    if env::var_os(HOLD_BROKER).is_none() {
        return;
    }
    static BROKER: OnceLock<Broker> = OnceLock::new();
    let broker = BROKER.get_or_init(|| start(BrokerConfig::default()));
    println!("BROKER {} {}", broker.port(), broker.pid());

    // The parent never writes to this pipe, so this blocks until the parent kills us.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}
