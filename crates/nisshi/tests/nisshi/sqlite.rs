//! A broker on sqlite storage comes back after a crash on the same directory and port, as the
//! fault tests of the other crates need.

use std::{
    net::TcpStream,
    time::{Duration, Instant},
};

use orders_nisshi::{BrokerConfig, SQLITE_FILE, Storage};

use crate::support::{accepts_connections, process_alive, raw_api_versions, raw_metadata, start};

#[test]
fn a_killed_sqlite_broker_restarts_on_the_same_directory_and_port() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("broker");
    let mut broker = start(BrokerConfig {
        storage: Storage::sqlite(&dir),
        ..BrokerConfig::default()
    });
    let (port, first_pid) = (broker.port(), broker.pid());
    assert!(
        dir.join(SQLITE_FILE).is_file(),
        "no {SQLITE_FILE} in {dir:?}"
    );
    let created = raw_metadata(&broker.bootstrap_servers(), &["survives-a-crash"]);
    assert_eq!(created.topics, [(0, "survives-a-crash".to_owned())]);
    // A client connected through the crash leaves the broker's side of its socket on the port,
    // as the clients of the fault tests do.
    let connected = TcpStream::connect(broker.bootstrap_servers()).unwrap();

    broker.kill();
    assert!(
        !process_alive(first_pid),
        "kill returned before nisshi was gone"
    );
    assert!(!accepts_connections(port));

    let restarting = Instant::now();
    broker.restart().unwrap();
    eprintln!("sqlite restart took {:?}", restarting.elapsed());

    assert_eq!(broker.port(), port);
    assert_ne!(broker.pid(), first_pid);
    assert!(process_alive(broker.pid()));
    let (correlation_id, error_code, _) = raw_api_versions(&broker.bootstrap_servers(), 7);
    assert_eq!((correlation_id, error_code), (7, 0));
    let after = raw_metadata(&broker.bootstrap_servers(), &[]);
    assert!(
        after
            .topics
            .iter()
            .any(|(_, name)| name == "survives-a-crash"),
        "the topic created before the crash is gone: {after:?}"
    );
    assert_eq!(
        after
            .brokers
            .iter()
            .map(|(_, host, port)| (host.as_str(), *port))
            .collect::<Vec<_>>(),
        [("127.0.0.1", i32::from(port))],
        "the broker advertises its listener"
    );
    assert_eq!(
        broker.storage().sqlite_file(),
        Some(dir.join(SQLITE_FILE)),
        "restart keeps the storage"
    );
    assert!(dir.join(SQLITE_FILE).is_file());
    drop(connected);
}

#[test]
fn restart_of_a_running_broker_stops_it_first() {
    let data = tempfile::tempdir().unwrap();
    let mut broker = start(BrokerConfig {
        storage: Storage::sqlite(data.path()),
        ..BrokerConfig::default()
    });
    let first_pid = broker.pid();

    broker.restart().unwrap();

    assert!(!process_alive(first_pid));
    assert!(process_alive(broker.pid()));
    let (correlation_id, _, _) = raw_api_versions(&broker.bootstrap_servers(), 9);
    assert_eq!(correlation_id, 9);
    broker.terminate(Duration::from_secs(5));
}

#[test]
fn a_restarted_memory_broker_starts_empty() {
    let mut broker = start(BrokerConfig::default());
    raw_metadata(&broker.bootstrap_servers(), &["forgotten"]);
    let before = raw_metadata(&broker.bootstrap_servers(), &[]);
    assert!(
        before.topics.iter().any(|(_, name)| name == "forgotten"),
        "{before:?}"
    );

    broker.kill();
    broker.restart().unwrap();

    let after = raw_metadata(&broker.bootstrap_servers(), &[]);
    assert!(
        after.topics.iter().all(|(_, name)| name != "forgotten"),
        "memory storage kept a topic across a restart: {after:?}"
    );
}
