//! A started broker listens on its port, speaks Kafka, and goes away when told to.

use std::{
    fs,
    time::{Duration, Instant},
};

use orders_nisshi::BrokerConfig;

use crate::support::{accepts_connections, eventually, process_alive, raw_api_versions, start};

#[test]
fn a_started_broker_answers_api_versions_with_the_same_correlation_id() {
    let starting = Instant::now();
    let broker = start(BrokerConfig::default());
    eprintln!("memory start took {:?}", starting.elapsed());

    let (correlation_id, error_code, keys) = raw_api_versions(&broker.bootstrap_servers(), 4242);

    assert_eq!(correlation_id, 4242);
    assert_eq!(error_code, 0);
    for key in [0, 1, 3, 18] {
        assert!(keys.contains(&key), "API key {key} missing from {keys:?}");
    }
    assert_eq!(
        broker.bootstrap_servers(),
        format!("127.0.0.1:{}", broker.port())
    );
}

#[test]
fn probe_tells_a_kafka_broker_from_a_closed_port() {
    let mut broker = start(BrokerConfig::default());
    let addr = broker.bootstrap_servers();

    let answer = orders_nisshi::probe(&addr, Duration::from_secs(2)).unwrap();
    assert_eq!(answer.error_code, 0);
    assert!(
        answer.apis.iter().any(|api| api.api_key == 18),
        "{answer:?}"
    );

    broker.kill();
    let error = orders_nisshi::probe(&addr, Duration::from_secs(2)).unwrap_err();
    assert!(error.to_string().contains(&addr), "{error}");
}

#[test]
fn terminate_stops_the_process_and_closes_the_port() {
    let mut broker = start(BrokerConfig::default());
    let (port, pid) = (broker.port(), broker.pid());
    assert!(process_alive(pid));

    broker.terminate(Duration::from_secs(5));

    assert!(!process_alive(pid), "nisshi {pid} outlived terminate");
    assert!(!accepts_connections(port));
    assert!(!broker.is_running());
}

#[test]
fn dropping_the_broker_stops_it() {
    let broker = start(BrokerConfig::default());
    let (port, pid) = (broker.port(), broker.pid());

    drop(broker);

    assert!(!process_alive(pid), "nisshi {pid} outlived its Broker");
    assert!(!accepts_connections(port));
}

#[test]
fn the_log_file_asked_for_receives_the_ready_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/nisshi.log");

    let broker = start(BrokerConfig {
        log_file: Some(log.clone()),
        ..BrokerConfig::default()
    });

    assert_eq!(broker.log_file(), log);
    let text = fs::read_to_string(&log).unwrap();
    assert!(text.contains("ready in "), "{text}");
    drop(broker);
    assert!(log.exists(), "a log the caller named is theirs to keep");
}

#[test]
fn a_temporary_log_is_removed_with_the_broker() {
    let broker = start(BrokerConfig::default());
    let log = broker.log_file().to_path_buf();
    assert!(log.exists());

    drop(broker);

    eventually(Duration::from_secs(1), "the log is removed", || {
        !log.exists()
    });
}
